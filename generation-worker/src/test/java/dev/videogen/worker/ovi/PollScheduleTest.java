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
        schedule.notDoneAt(4_700 * MS);
        schedule.notDoneAt(4_950 * MS);
        schedule.notDoneAt(4_600 * MS);
        assertThat(schedule.expectedNanos()).isEqualTo(4_975 * MS);
    }

    @Test
    void forgetsAllButTheRecentJobs() {
        schedule.notDoneAt(9_000 * MS);
        for (int i = 0; i < PollSchedule.WINDOW; i++) {
            schedule.notDoneAt(4_000 * MS);
        }
        assertThat(schedule.expectedNanos()).isEqualTo(4_025 * MS);
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
}
