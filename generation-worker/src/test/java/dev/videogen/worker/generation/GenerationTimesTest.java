package dev.videogen.worker.generation;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GenerationTimesTest {

    @Test
    void assumesTheDefaultUntilItHasMeasurements() {
        assertThat(new GenerationTimes(Duration.ofSeconds(40)).typical()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void isTheMedianOfTheLastFifty() {
        GenerationTimes times = new GenerationTimes(Duration.ofSeconds(40));
        times.record(Duration.ofSeconds(30));
        times.record(Duration.ofSeconds(90));
        times.record(Duration.ofSeconds(44));
        assertThat(times.typical()).isEqualTo(Duration.ofSeconds(44));

        for (int i = 0; i < GenerationTimes.WINDOW; i++) {
            times.record(Duration.ofSeconds(50));
        }
        assertThat(times.typical()).isEqualTo(Duration.ofSeconds(50));
    }

    @Test
    void startsFromAnotherWorkersTimesOnlyBeforeItMeasuredAny() {
        GenerationTimes measured = new GenerationTimes(Duration.ofSeconds(40));
        for (int i = 0; i < GenerationTimes.WINDOW + 3; i++) { // wraps around: the latest WINDOW, oldest first
            measured.record(Duration.ofMillis(10_000 + i));
        }
        long[] recent = measured.recentMillis();
        assertThat(recent).hasSize(GenerationTimes.WINDOW);
        assertThat(recent[0]).isEqualTo(10_003);
        assertThat(recent[GenerationTimes.WINDOW - 1]).isEqualTo(10_000 + GenerationTimes.WINDOW + 2);

        GenerationTimes fresh = new GenerationTimes(Duration.ofSeconds(40));
        assertThat(fresh.seed(recent)).isTrue();
        assertThat(fresh.typical()).isEqualTo(measured.typical());
        assertThat(fresh.recentMillis()).containsExactly(recent);

        GenerationTimes busy = new GenerationTimes(Duration.ofSeconds(40));
        busy.record(Duration.ofSeconds(44));
        assertThat(busy.seed(recent)).isFalse();
        assertThat(busy.typical()).isEqualTo(Duration.ofSeconds(44));
    }
}
