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
}
