package dev.videogen.worker.ovi;

import dev.videogen.worker.generation.GenerationRun;
import dev.videogen.worker.generation.GenerationTimes;
import dev.videogen.worker.ovi.OviClient.QueueStatus;
import dev.videogen.worker.storage.JobCheckpoint;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

class OviProgressTest {

    private record Report(int progress, String stage, Integer queuePosition, Integer eta) {
    }

    private final List<Report> reports = new ArrayList<>();
    private final GenerationRun run = new GenerationRun() {
        @Override
        public String jobId() {
            return "j";
        }

        @Override
        public JobCheckpoint checkpoint() {
            return JobCheckpoint.NEW;
        }

        @Override
        public Mono<Void> submitted(String provider, String providerRequestId, String responsePath) {
            return Mono.empty();
        }

        @Override
        public void progressed(int progress, String stage, Integer queuePosition, Integer etaSeconds) {
            reports.add(new Report(progress, stage, queuePosition, etaSeconds));
        }

        @Override
        public void onAbort(Supplier<Mono<Void>> abort) {
        }

        @Override
        public <T> Mono<T> critical(Mono<T> step) {
            return step;
        }
    };

    @Test
    void queueThenGenerationThenFinishingRisesWithEtasFromTypicalTimes() {
        GenerationTimes times = new GenerationTimes(Duration.ofSeconds(40));
        OviProgress progress = new OviProgress(times, Duration.ofSeconds(10), "huggingface", false);
        long t0 = 1_000_000_000L;
        progress.report(run, t0);
        progress.observe(new QueueStatus(QueueStatus.IN_QUEUE, 3, null), t0);
        progress.report(run, t0);
        progress.observe(new QueueStatus(QueueStatus.IN_PROGRESS, null, null), t0 + seconds(5));
        progress.report(run, t0 + seconds(5));
        progress.report(run, t0 + seconds(25));
        progress.report(run, t0 + seconds(45));
        progress.report(run, t0 + seconds(120));
        progress.observe(new QueueStatus(QueueStatus.COMPLETED, null, 41.0), t0 + seconds(121));
        progress.report(run, t0 + seconds(121));

        assertThat(reports).extracting(Report::progress).isSorted();
        assertThat(reports).extracting(Report::progress).allMatch(p -> p >= 0 && p < 100);
        assertThat(reports.get(0).stage()).isEqualTo("submitting to huggingface");
        assertThat(reports.get(1)).isEqualTo(new Report(5, "waiting in the provider's queue", 3, 70));
        assertThat(reports.get(2)).extracting(Report::stage, Report::queuePosition, Report::eta)
                .containsExactly("generating", null, 42);
        assertThat(reports.get(3).progress()).isEqualTo(10 + 39); // half of the typical 40 s
        assertThat(reports.get(5).progress()).isLessThan(90); // slower than usual: creeps, never claims done
        assertThat(reports.get(6)).extracting(Report::progress, Report::stage).containsExactly(90, "fetching the result");
    }

    @Test
    void etaFollowsTheMeasuredTypicalTime() {
        GenerationTimes times = new GenerationTimes(Duration.ofSeconds(40));
        times.record(Duration.ofSeconds(20));
        OviProgress progress = new OviProgress(times, Duration.ofSeconds(10), "fal", false);
        progress.observe(new QueueStatus(QueueStatus.IN_PROGRESS, null, null), 0);
        progress.report(run, seconds(5));
        assertThat(reports.get(0).eta()).isEqualTo(17);
    }

    private static long seconds(long s) {
        return Duration.ofSeconds(s).toNanos();
    }
}
