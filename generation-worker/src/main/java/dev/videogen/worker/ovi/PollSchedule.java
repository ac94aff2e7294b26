package dev.videogen.worker.ovi;

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
 * time add nothing, so the estimate does not creep from its own polls. Thread-safe.
 */
final class PollSchedule {

    static final int WINDOW = 50;

    private final Duration interval;
    private final long marginNanos;
    private final long[] lowerBounds = new long[WINDOW];
    private int count;
    private int nextSlot;

    PollSchedule(Duration interval, Duration margin) {
        this.interval = interval;
        this.marginNanos = margin.toNanos();
    }

    /** A job's last "not done" poll went out this long after its submit. */
    synchronized void notDoneAt(long nanosSinceSubmit) {
        if (nanosSinceSubmit <= 0) {
            return;
        }
        lowerBounds[nextSlot] = nanosSinceSubmit;
        nextSlot = (nextSlot + 1) % WINDOW;
        count = Math.min(WINDOW, count + 1);
    }

    /** When, after its submit, a result is expected; -1 before any job taught it. */
    synchronized long expectedNanos() {
        if (count == 0) {
            return -1;
        }
        return Arrays.stream(lowerBounds, 0, count).max().orElse(0) + marginNanos;
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
