package dev.videogen.worker.generation;

import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationProgressed;
import dev.videogen.events.JobError;
import dev.videogen.worker.storage.JobCheckpoint;
import dev.videogen.worker.support.JobHarness;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sequences reserved in blocks, never reused across runs; what may and may not fail a run. */
class JobEventsTest {

    private static final String JOB = "events-1";
    private final JobHarness harness = new JobHarness(Duration.ofSeconds(30));

    @AfterEach
    void close() {
        harness.close();
    }

    private JobEvents events() {
        return new JobEvents(harness.kafka, harness.checkpoints, harness.threads.ioExecutor(), Clock.systemUTC(), JOB,
                harness.checkpoints.load(JOB));
    }

    @Test
    void aSecondRunContinuesAboveEverySequenceTheFirstOneReserved() {
        JobEvents first = events();
        first.accepted(JobHarness.request(JOB, new byte[0], "image/png", GenerationParams.NONE));
        first.started("demo");
        for (int i = 0; i < 150; i++) { // more than one block
            int expected = 3 + i;
            int progress = i % 100;
            // a progress report made while the previous one is still in flight is dropped by design, so report
            // again until this one is out; none can overshoot, because a report goes out only after the last landed
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                    .until(() -> {
                        if (harness.producer.history().size() < expected) {
                            first.progressed(progress, "working", null, 1);
                        }
                        return harness.producer.history().size() >= expected;
                    });
        }
        CompletableFuture<Void> lastOfFirst = first.started("demo");
        lastOfFirst.join();
        assertThat(harness.checkpoints.load(JOB).reservedSequence()).isEqualTo(2 * JobEvents.BLOCK);
        long highestOfFirst = harness.events().stream().mapToLong(GenerationEvent::sequence).max().orElseThrow();

        JobEvents second = events();
        second.failed(new JobError("urn:x", "x", "x")).join();

        GenerationEvent last = harness.events().get(harness.events().size() - 1);
        assertThat(last.sequence()).isEqualTo(2 * JobEvents.BLOCK + 1).isGreaterThan(highestOfFirst);
        assertThat(harness.checkpoints.load(JOB).finished()).isTrue();
    }

    @Test
    void progressNeverGoesBackwards() {
        JobEvents events = events();
        events.progressed(40, "a", null, 1);
        await().pollDelay(Duration.ZERO).until(() -> harness.events().size() == 1);
        await().pollDelay(Duration.ZERO).until(() -> { // re-reported while the first is still in flight (dropped)
            if (harness.events().size() < 2) {
                events.progressed(30, "b", null, 1);
            }
            return harness.events().size() == 2;
        });
        assertThat(harness.events()).extracting(e -> ((GenerationProgressed) e).progress()).containsExactly(40, 40);
    }

    @Test
    void noProgressFollowsTheTerminalEvent() {
        JobEvents events = events();
        events.failed(new JobError("urn:x", "x", "x")).join();
        events.progressed(50, "late tick", null, 1);
        assertThat(harness.events()).hasSize(1);
    }

    @Test
    void theSubmittedRequestIsRecordedEvenByARunThatWasJustDropped() {
        JobEvents events = events();
        events.abandon();

        events.submitted("huggingface", "req-9", "/fal-ai/ovi/requests/req-9").join();

        JobCheckpoint checkpoint = harness.checkpoints.load(JOB);
        assertThat(checkpoint.providerRequestId()).isEqualTo("req-9");
        assertThat(checkpoint.providerResponsePath()).isEqualTo("/fal-ai/ovi/requests/req-9");
        assertThat(events.completed("v", "p", 1, 1)).failsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aRefusedProgressEventDoesNotFailTheJobButARefusedStartDoes() {
        JobEvents events = events();
        harness.producer.sendException = new KafkaException("not now");
        events.progressed(10, "a", null, 1);
        harness.producer.sendException = null;
        await().pollDelay(Duration.ZERO).until(() -> harness.checkpoints.load(JOB).reservedSequence() > 0);
        assertThat(events.completed("v", "p", 1, 1)).succeedsWithin(Duration.ofSeconds(5));

        JobEvents other = new JobEvents(harness.kafka, harness.checkpoints, harness.threads.ioExecutor(),
                Clock.systemUTC(), "events-2", JobCheckpoint.NEW);
        harness.producer.sendException = new KafkaException("not now");
        CompletableFuture<Void> started = other.started("demo");
        assertThat(started).failsWithin(Duration.ofSeconds(5));
        harness.producer.sendException = null;
        assertThat(other.completed("v", "p", 1, 1)).failsWithin(Duration.ofSeconds(5));
    }
}
