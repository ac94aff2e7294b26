package dev.videogen.worker.ovi;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PollScheduleTest {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final long MS = 1_000_000L;

    private final PollSchedule schedule = new PollSchedule(INTERVAL, Duration.ofMillis(25));

    @Test
    void withoutAnExpectationTheCadenceIsAsBefore() {
        assertThat(schedule.expectedNanos()).isEqualTo(-1);
        assertThat(schedule.nextDelay(Long.MIN_VALUE, false)).isEqualTo(Duration.ofSeconds(1));
        assertThat(schedule.nextDelay(Long.MIN_VALUE, true)).isEqualTo(INTERVAL);
    }

    @Test
    void expectsTheLatestNotDonePollPlusTheMargin() {
        schedule.finished(-1, 4_700 * MS);
        schedule.finished(-1, 4_950 * MS);
        schedule.finished(-1, 4_600 * MS);
        assertThat(schedule.expectedNanos()).isEqualTo(4_975 * MS);
    }

    @Test
    void forgetsAllButTheRecentJobs() {
        schedule.finished(-1, 9_000 * MS);
        for (int i = 0; i < PollSchedule.WINDOW; i++) {
            schedule.finished(-1, 4_000 * MS);
        }
        assertThat(schedule.expectedNanos()).isEqualTo(4_025 * MS);
    }

    @Test
    void aScheduleSeededWithAnothersMomentsAimsLikeIt() {
        PollSchedule learned = new PollSchedule(INTERVAL, Duration.ofMillis(25));
        for (int i = 0; i < PollSchedule.WINDOW + 7; i++) { // wraps around: only the latest WINDOW are kept, in order
            learned.finished(-1, (4_000 + i) * MS);
        }
        long[] moments = learned.notDoneMoments();
        assertThat(moments).hasSize(PollSchedule.WINDOW);
        assertThat(moments[0]).isEqualTo(4_007 * MS);
        assertThat(moments[PollSchedule.WINDOW - 1]).isEqualTo((4_000 + PollSchedule.WINDOW + 6) * MS);

        assertThat(schedule.seed(moments)).isTrue();
        assertThat(schedule.expectedNanos()).isEqualTo(learned.expectedNanos());
        assertThat(schedule.notDoneMoments()).containsExactly(moments);
    }

    @Test
    void aScheduleThatLearnedByItselfKeepsWhatItLearned() {
        schedule.finished(-1, 3_000 * MS);
        assertThat(schedule.seed(new long[] {9_000 * MS})).isFalse();
        assertThat(schedule.expectedNanos()).isEqualTo(3_025 * MS);
    }

    @Test
    void jobsPickedUpOnTimeTeachNothing() {
        schedule.finished(-1, 4_500 * MS);
        long expected = schedule.expectedNanos();
        schedule.finished(expected, 4_000 * MS); // its last "not done" poll was before the aimed one
        schedule.finished(expected, -1);
        assertThat(schedule.expectedNanos()).isEqualTo(expected).isEqualTo(4_525 * MS);
    }

    @Test
    void missesInARowClimbFasterThanOneMarginEach() {
        // the first job, polled every second, was last seen running 4,000 ms after its submit; the results really come
        // at 4,800 ms: count the misses (each costs a whole interval) until a poll is aimed at or after 4,800 ms
        schedule.finished(-1, 4_000 * MS);
        int misses = 0;
        while (schedule.expectedNanos() < 4_800 * MS) {
            missTheAimedPoll();
            misses++;
        }
        // one margin per miss would have taken 31 misses
        assertThat(misses).isEqualTo(5);
        assertThat(schedule.expectedNanos()).isLessThanOrEqualTo(4_800 * MS + INTERVAL.toNanos());
    }

    @Test
    void theHeadStartShrinksAgainWithJobsOnTime() {
        schedule.finished(-1, 4_000 * MS);
        for (int i = 0; i < 3; i++) {
            missTheAimedPoll();
        }
        long afterMisses = schedule.expectedNanos();
        long lastMissed = 4_000 * MS + (25 + 25 + 25 + 75 + 25) * MS; // each aimed poll: bound + margin + head start
        assertThat(afterMisses).isEqualTo(lastMissed + 25 * MS + 175 * MS);
        for (int i = 0; i < 12; i++) {
            schedule.finished(schedule.expectedNanos(), 4_000 * MS);
        }
        // back to just after the latest bound: nothing is lost of what the misses proved
        assertThat(schedule.expectedNanos()).isBetween(lastMissed + 25 * MS, lastMissed + 26 * MS);
    }

    @Test
    void theHeadStartNeverExceedsOneInterval() {
        schedule.finished(-1, 1_000 * MS);
        for (int i = 0; i < 40; i++) {
            long aimed = missTheAimedPoll();
            assertThat(schedule.expectedNanos() - aimed).isLessThanOrEqualTo(25 * MS + INTERVAL.toNanos());
        }
    }

    @Test
    void aPollLandsOnTheExpectedMomentAndNoTwoAreCloserThanTheInterval() {
        // a job submitted at 0 with its result expected at 4,975 ms: follow the schedule from the first poll
        long expected = 4_975 * MS;
        long now = 3 * MS; // the first poll goes out right after the submit
        boolean landed = false;
        for (int poll = 0; poll < 20 && now <= expected + 2 * INTERVAL.toNanos(); poll++) {
            Duration delay = schedule.nextDelay(expected - now, false);
            assertThat(delay).isBetween(INTERVAL, INTERVAL.multipliedBy(2));
            now += delay.toNanos();
            landed |= now == expected;
            if (now > expected) {
                // past the expected moment: every interval, as before
                assertThat(schedule.nextDelay(expected - now, false)).isEqualTo(INTERVAL);
            }
        }
        assertThat(landed).isTrue();
    }

    @Test
    void tooCloseToAimAtOrPassedPollsEveryInterval() {
        assertThat(schedule.nextDelay(200 * MS, false)).isEqualTo(INTERVAL);
        assertThat(schedule.nextDelay(-300 * MS, false)).isEqualTo(INTERVAL);
        assertThat(schedule.nextDelay(700 * MS, false)).isEqualTo(Duration.ofMillis(700));
        assertThat(schedule.nextDelay(1_200 * MS, false)).isEqualTo(Duration.ofMillis(700));
        assertThat(schedule.nextDelay(5_000 * MS, true)).isEqualTo(Duration.ofSeconds(1));
    }

    /** A job whose poll aimed at the expected moment still found it running; returns that moment. */
    private long missTheAimedPoll() {
        long aimed = schedule.expectedNanos();
        schedule.finished(aimed, aimed);
        return aimed;
    }
}
