package dev.videogen.worker.ovi;

import dev.videogen.worker.generation.RecentValues;

import java.time.Duration;
import java.util.Arrays;

/**
 * When to poll a request's status, so that a poll lands just after the moment the result is expected rather than up to
 * a whole poll interval after it. Learned from this worker's recent jobs: for each job the offset, from its submit, of
 * the last status poll that was sent and answered "not done yet" is a lower bound of when that job finished; the
 * largest of the recent ones (plus a small margin for the network) is taken as the expected completion.
 *
 * <p>Polls are never closer together than the poll interval (the protocol asks for 0.5-1 s); the cadence is only
 * shifted, by stretching one gap to less than two intervals, so that one poll falls on the expected completion and the
 * ones after it every interval. A job that takes longer is picked up at the next poll, as without the schedule; a job
 * that finishes earlier is picked up at the next poll on the shifted cadence, also as without it. So the wait between
 * the result being ready and the worker seeing it is at most one interval, as before, and close to the margin when the
 * upstream takes the same time for every job.
 *
 * <p>Only polls that tell something new feed the estimate: those of a job that had no expectation yet, and those sent
 * at or after the expected moment that still found the job running (the estimate was too early). Jobs picked up on
 * time add nothing, so the estimate does not creep from its own polls.
 *
 * <p>A miss costs a whole interval, and a first estimate (from a job polled on the slow cadence) can be most of a
 * second early: raising the estimate only to the missed poll would take one miss per margin to climb. So misses in a
 * row also add a head start that doubles with each of them (one margin, three, seven, ... at most one interval): the
 * climb takes a few misses instead of dozens. The head start is a guess, not a bound, and halves with every job picked
 * up on time, so the aim settles back to just after the latest known "not done" moment. Thread-safe.
 */
final class PollSchedule {

    static final int WINDOW = 50;

    private final Duration interval;
    private final long marginNanos;
    private final RecentValues lowerBounds = new RecentValues(WINDOW);
    private int missesInARow;
    private long headStartNanos;

    PollSchedule(Duration interval, Duration margin) {
        this.interval = interval;
        this.marginNanos = margin.toNanos();
    }

    /**
     * What a finished job taught.
     *
     * @param expected the expectation it was polled with ({@link #expectedNanos()} when it started), -1 for none
     * @param notDone  when, after its submit, its last poll that found it still running went out; 0 or less if none
     */
    synchronized void finished(long expected, long notDone) {
        if (expected < 0) {
            notDoneAt(notDone); // no expectation yet: its polls say where the result was
        } else if (notDone >= expected) { // the aimed poll was too early: a later lower bound, and a head start
            notDoneAt(notDone);
            missesInARow++;
            headStartNanos = Math.min(interval.toNanos(), marginNanos * ((1L << Math.min(missesInARow, 20)) - 1));
        } else { // picked up on time: nothing new about when; the guessed head start shrinks
            missesInARow = 0;
            headStartNanos /= 2;
        }
    }

    private void notDoneAt(long nanosSinceSubmit) {
        if (nanosSinceSubmit > 0) {
            lowerBounds.add(nanosSinceSubmit);
        }
    }

    /** The recent "not done" moments (nanoseconds after a submit) this schedule aims from, oldest first. */
    synchronized long[] notDoneMoments() {
        return lowerBounds.oldestFirst();
    }

    /**
     * Starts from what another worker learned ({@link #notDoneMoments()}, oldest first), so that a worker that has just
     * started aims its polls like one that has run for a while. Ignored once this schedule has learned anything itself.
     *
     * @return whether the moments were taken
     */
    synchronized boolean seed(long[] moments) {
        return lowerBounds.seed(moments);
    }

    /** When, after its submit, a result is expected; -1 before any job taught it. */
    synchronized long expectedNanos() {
        if (lowerBounds.isEmpty()) {
            return -1;
        }
        return Arrays.stream(lowerBounds.oldestFirst()).max().orElse(0) + marginNanos + headStartNanos;
    }

    /**
     * The pause before the next poll.
     *
     * @param untilExpected nanoseconds from now to the expected completion (negative once it has passed), or
     *                      {@link Long#MIN_VALUE} when nothing is expected (a resumed job, or no job measured yet)
     * @param dueSoon       whether, without an expectation, the result may come any moment (poll every interval)
     */
    Duration nextDelay(long untilExpected, boolean dueSoon) {
        long step = interval.toNanos();
        if (untilExpected == Long.MIN_VALUE) {
            return dueSoon ? interval : interval.multipliedBy(2);
        }
        if (untilExpected < step) {
            return interval; // passed (or too close to aim at without polling sooner than the interval allows)
        }
        if (untilExpected >= 3 * step) {
            return interval.multipliedBy(2); // far off: the slow cadence
        }
        // land on the expected moment: the pause is in [interval, 2 * interval)
        return Duration.ofNanos(step + (untilExpected - step) % step);
    }
}
