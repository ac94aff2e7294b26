package dev.videogen.worker.generation;

import dev.videogen.events.GenerationAccepted;
import dev.videogen.events.GenerationCanceled;
import dev.videogen.events.GenerationCompleted;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationFailed;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationProgressed;
import dev.videogen.events.GenerationStarted;
import dev.videogen.worker.support.JobHarness;
import dev.videogen.worker.support.TestMedia;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job flow with the offline demo generator (what ./run.sh runs without a token), and its edges. */
class JobRunnerTest {

    private static final String JOB = "demo-1";
    private JobHarness harness = new JobHarness(Duration.ofSeconds(30));

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void theDemoGeneratorMakesARealVideoWithProgressAndAPoster() {
        JobRunner runner = harness.runner(new DemoVideoGenerator(JobHarness.properties(Duration.ofSeconds(30)),
                harness.threads.cpu()));

        Outcome outcome = runner.run(request(), new JobControl()).block(Duration.ofSeconds(60));

        assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
        List<GenerationEvent> events = harness.events();
        assertThat(events.get(0)).isInstanceOf(GenerationAccepted.class);
        assertThat(events.get(1)).isInstanceOfSatisfying(GenerationStarted.class,
                started -> assertThat(started.generator()).isEqualTo("demo"));
        assertThat(events).extracting(GenerationEvent::sequence).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
        List<GenerationProgressed> progress = events.stream().filter(GenerationProgressed.class::isInstance)
                .map(GenerationProgressed.class::cast).toList();
        assertThat(progress).isNotEmpty().extracting(GenerationProgressed::progress).isSorted();
        assertThat(progress).allSatisfy(p -> assertThat(p.etaSeconds()).isPositive());
        GenerationCompleted completed = (GenerationCompleted) events.get(events.size() - 1);
        assertThat(harness.store.object("videos", JOB + ".mp4")).hasValueSatisfying(mp4 -> {
            assertThat(mp4).hasSize((int) completed.bytes());
            assertThat(new String(mp4, 4, 4)).isEqualTo("ftyp");
        });
        assertThat(harness.store.object("videos", JOB + ".jpg")).isPresent();
        assertThat(harness.checkpoints.load(JOB).finished()).isTrue();
    }

    @Test
    void aCancelMarkedBeforeTheJobStartsEndsItCanceledWithoutRunningIt() {
        harness.checkpoints.markCanceled(JOB);
        JobRunner runner = harness.runner(new DemoVideoGenerator(JobHarness.properties(Duration.ofSeconds(30)),
                harness.threads.cpu()));

        assertThat(runner.run(request(), new JobControl()).block(Duration.ofSeconds(30))).isEqualTo(Outcome.CANCELED);

        assertThat(harness.events()).hasSize(2);
        assertThat(harness.events().get(0)).isInstanceOf(GenerationAccepted.class);
        assertThat(harness.events().get(1)).isInstanceOf(GenerationCanceled.class);
        assertThat(harness.store.object("videos", JOB + ".mp4")).isEmpty();
    }

    @Test
    void theDeadlineAlsoBoundsTheDemoGenerator() {
        harness.close();
        harness = new JobHarness(Duration.ofMillis(100));
        JobRunner runner = harness.runner(new DemoVideoGenerator(JobHarness.properties(Duration.ofMillis(100)),
                harness.threads.cpu()));

        assertThat(runner.run(request(), new JobControl()).block(Duration.ofSeconds(30))).isEqualTo(Outcome.FAILED);

        GenerationFailed failed = (GenerationFailed) harness.events().get(harness.events().size() - 1);
        assertThat(failed.error().type()).isEqualTo("urn:videogen:error:timeout");
        assertThat(failed.error().detail()).isEqualTo("The video was not ready within 100 ms.");
    }

    @Test
    void anImageThatIsNotAnImageFailsTheJobWithAClearError() {
        JobRunner runner = harness.runner(new DemoVideoGenerator(JobHarness.properties(Duration.ofSeconds(30)),
                harness.threads.cpu()));

        Outcome outcome = runner.run(JobHarness.request(JOB, "hello".getBytes(), "image/png", GenerationParams.NONE),
                new JobControl()).block(Duration.ofSeconds(30));

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        GenerationFailed failed = (GenerationFailed) harness.events().get(harness.events().size() - 1);
        assertThat(failed.error().type()).isEqualTo("urn:videogen:error:image-rejected");
    }

    @Test
    void whenKafkaIsAwayTheRunFailsForTheCallerToRunAgainAndTheRetryResumes() {
        JobRunner runner = harness.runner(new DemoVideoGenerator(JobHarness.properties(Duration.ofSeconds(30)),
                harness.threads.cpu()));
        harness.producer.sendException = new KafkaException("broker unavailable");

        assertThatThrownBy(() -> runner.run(request(), new JobControl()).block(Duration.ofSeconds(30)))
                .satisfies(e -> assertThat(JobRunner.isInfrastructure(e)).isTrue());

        harness.producer.sendException = null;
        assertThat(runner.run(request(), new JobControl()).block(Duration.ofSeconds(60))).isEqualTo(Outcome.SUCCEEDED);
        assertThat(harness.events()).last().isInstanceOf(GenerationCompleted.class);
        assertThat(harness.events()).extracting(GenerationEvent::sequence).allMatch(s -> s > JobEvents.BLOCK);
    }

    @Test
    void theVideoIsStoredWhileItsPosterIsStillBeingMade() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("videogen-test-", ".mp4");
        java.nio.file.Files.write(file, TestMedia.mp4());
        java.util.concurrent.atomic.AtomicBoolean videoStoredBeforePoster = new java.util.concurrent.atomic.AtomicBoolean();
        reactor.core.publisher.Mono<GeneratedVideo.Poster> slowPoster = reactor.core.publisher.Mono.delay(Duration.ofMillis(500))
                .map(tick -> {
                    videoStoredBeforePoster.set(harness.store.object("videos", JOB + ".mp4").isPresent());
                    return new GeneratedVideo.Poster(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, 4_321);
                });
        JobRunner runner = harness.runner(generator(reactor.core.publisher.Mono.just(
                new GeneratedVideo(file, TestMedia.mp4().length, slowPoster))));

        assertThat(runner.run(request(), new JobControl()).block(Duration.ofSeconds(30))).isEqualTo(Outcome.SUCCEEDED);

        assertThat(videoStoredBeforePoster).isTrue();
        assertThat(harness.store.object("videos", JOB + ".jpg")).isPresent();
        assertThat(harness.events()).last().isInstanceOfSatisfying(GenerationCompleted.class,
                completed -> assertThat(completed.durationMs()).isEqualTo(4_321));
        assertThat(file).doesNotExist();
    }

    @Test
    void aPosterThatCannotBeMadeFailsTheJobAndTakesTheStoredVideoAway() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("videogen-test-", ".mp4");
        java.nio.file.Files.write(file, TestMedia.mp4());
        reactor.core.publisher.Mono<GeneratedVideo.Poster> noPoster = reactor.core.publisher.Mono.delay(Duration.ofMillis(300))
                .then(reactor.core.publisher.Mono.error(new GenerationException("video-unplayable", "Not a playable video",
                        "The provider's video cannot be decoded.")));
        JobRunner runner = harness.runner(generator(reactor.core.publisher.Mono.just(
                new GeneratedVideo(file, TestMedia.mp4().length, noPoster))));

        assertThat(runner.run(request(), new JobControl()).block(Duration.ofSeconds(30))).isEqualTo(Outcome.FAILED);

        assertThat(harness.events()).last().isInstanceOfSatisfying(GenerationFailed.class,
                failed -> assertThat(failed.error().type()).isEqualTo("urn:videogen:error:video-unplayable"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> harness.store.object("videos", JOB + ".mp4").isEmpty());
        assertThat(harness.store.object("videos", JOB + ".jpg")).isEmpty();
    }

    private static VideoGenerator generator(reactor.core.publisher.Mono<GeneratedVideo> video) {
        return new VideoGenerator() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public reactor.core.publisher.Mono<GeneratedVideo> generate(GenerationInput input, GenerationRun run) {
                return video;
            }
        };
    }

    private static dev.videogen.events.GenerationRequested request() {
        return JobHarness.request(JOB, TestMedia.png(), "image/png", GenerationParams.NONE);
    }
}
