package dev.videogen.worker.intake;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.Topics;
import dev.videogen.events.UnreadableMessageException;
import dev.videogen.worker.generation.JobControl;
import dev.videogen.worker.generation.Outcome;
import dev.videogen.worker.storage.ObjectStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.Acknowledgment;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Bounded concurrency, back-pressure, in-order commits of out-of-order jobs, duplicates, rebalances, retries. */
class InFlightJobsTest {

    private final Map<String, Sinks.One<Outcome>> jobs = new ConcurrentHashMap<>();
    private final Map<String, JobControl> controls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
    private final List<String> canceledSubscriptions = new CopyOnWriteArrayList<>();
    private final List<Long> acked = new CopyOnWriteArrayList<>();
    private final List<String> intake = new CopyOnWriteArrayList<>();

    private InFlightJobs inFlight(int max) {
        return new InFlightJobs((request, control) -> Mono.defer(() -> {
            String jobId = request.jobId();
            controls.put(jobId, control);
            starts.computeIfAbsent(jobId, id -> new AtomicInteger()).incrementAndGet();
            Sinks.One<Outcome> sink = Sinks.one();
            jobs.put(jobId, sink);
            return sink.asMono().doOnCancel(() -> canceledSubscriptions.add(jobId));
        }), new IntakeSwitch() {
            @Override
            public void pause() {
                intake.add("pause");
            }

            @Override
            public void resume() {
                intake.add("resume");
            }
        }, max, Duration.ofMillis(10), Duration.ofMillis(50), new SimpleMeterRegistry());
    }

    @Test
    void offsetsAreCommittedInOrderWhateverOrderTheJobsFinishIn() {
        InFlightJobs inFlight = inFlight(10);
        inFlight.accept(record(0, 10, "a"), ack(10));
        inFlight.accept(record(0, 11, "b"), ack(11));
        inFlight.accept(record(0, 12, "c"), ack(12));

        finish("c");
        assertThat(acked).isEmpty();
        finish("a");
        assertThat(acked).containsExactly(10L);
        finish("b");
        assertThat(acked).containsExactly(10L, 12L);
    }

    @Test
    void atMostMaxJobsRunAndTheConsumerPausesUntilASlotFrees() {
        InFlightJobs inFlight = inFlight(2);
        inFlight.accept(record(0, 0, "a"), ack(0));
        assertThat(intake).isEmpty();
        inFlight.accept(record(1, 0, "b"), ack(100));
        assertThat(intake).containsExactly("pause");
        inFlight.accept(record(2, 0, "c"), ack(200)); // already polled: it waits in line, it does not start
        assertThat(starts).containsOnlyKeys("a", "b");
        assertThat(inFlight.running()).isEqualTo(2);
        assertThat(inFlight.waiting()).isEqualTo(1);

        finish("a");
        assertThat(starts).containsKey("c");
        assertThat(intake).containsExactly("pause"); // still full: b and c run
        finish("b");
        assertThat(intake).containsExactly("pause", "resume");
        assertThat(acked).containsExactly(0L, 100L);
    }

    @Test
    void theSameRequestTwiceRunsOnceAndBothRecordsAreCommitted() {
        InFlightJobs inFlight = inFlight(10);
        inFlight.accept(record(3, 5, "a"), ack(5));
        inFlight.accept(record(3, 6, "a"), ack(6));

        assertThat(starts.get("a")).hasValue(1);
        finish("a");
        assertThat(acked).last().isEqualTo(6L);
    }

    @Test
    void revokedPartitionsDropTheirJobsWithoutCommittingAndFreeTheirSlots() {
        InFlightJobs inFlight = inFlight(1);
        inFlight.accept(record(0, 0, "a"), ack(0));
        inFlight.accept(record(1, 0, "b"), ack(100));
        assertThat(starts).containsOnlyKeys("a");

        inFlight.onPartitionsRevokedBeforeCommit(null, List.of(new TopicPartition(Topics.REQUESTED, 0)));

        assertThat(canceledSubscriptions).containsExactly("a");
        assertThat(starts).containsKey("b");
        finish("a"); // a late completion of the dropped job commits nothing
        finish("b");
        assertThat(acked).containsExactly(100L);
    }

    @Test
    void anUnreadableRecordIsCommittedOnceDeadLetteredAndInOrder() {
        InFlightJobs inFlight = inFlight(10);
        inFlight.accept(record(0, 0, "a"), ack(0));
        ConsumerRecord<String, String> bad = new ConsumerRecord<>(Topics.REQUESTED, 0, 1, "bad", "{nope");
        assertThatThrownBy(() -> inFlight.accept(bad, ack(1))).isInstanceOf(UnreadableMessageException.class);
        inFlight.deadLettered(bad);
        assertThat(acked).isEmpty();

        finish("a");
        assertThat(acked).containsExactly(1L);
    }

    @Test
    void cancelReachesTheJobItHolds() {
        InFlightJobs inFlight = inFlight(10);
        inFlight.accept(record(0, 0, "a"), ack(0));

        assertThat(inFlight.cancel("a")).isTrue();
        assertThat(inFlight.cancel("unknown")).isFalse();
        assertThat(controls.get("a").cancelRequested()).isTrue();
    }

    @Test
    void aJobFailedByKafkaOrStorageRunsAgainAndIsCommittedWhenItEnds() {
        InFlightJobs inFlight = inFlight(10);
        inFlight.accept(record(0, 0, "a"), ack(0));
        jobs.get("a").tryEmitError(new ObjectStore.StorageException("S3 is away", null));

        await().atMost(Duration.ofSeconds(5)).until(() -> starts.get("a").get() == 2);
        assertThat(acked).isEmpty();
        finish("a");
        assertThat(acked).containsExactly(0L);
    }

    private void finish(String jobId) {
        jobs.get(jobId).tryEmitValue(Outcome.SUCCEEDED);
    }

    private Acknowledgment ack(long id) {
        return () -> acked.add(id);
    }

    private static ConsumerRecord<String, String> record(int partition, long offset, String jobId) {
        GenerationRequested request = new GenerationRequested(jobId, "owner", "prompt", "data:image/png;base64,AA==",
                GenerationParams.NONE, Instant.now());
        return new ConsumerRecord<>(Topics.REQUESTED, partition, offset, jobId, EventJson.write(request));
    }
}
