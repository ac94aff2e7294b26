package dev.videogen.worker.support;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.Topics;
import dev.videogen.worker.WorkerProperties;
import dev.videogen.worker.WorkerThreads;
import dev.videogen.worker.generation.JobRunner;
import dev.videogen.worker.generation.VideoGenerator;
import dev.videogen.worker.intake.ImageSource;
import dev.videogen.worker.storage.JobCheckpoints;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The job flow without a broker or an S3 server: a JobRunner over an in-memory object store and Kafka's
 * MockProducer, which records every event the job publishes.
 */
public final class JobHarness implements AutoCloseable {

    public final InMemoryObjectStore store = new InMemoryObjectStore();
    public final JobCheckpoints checkpoints = new JobCheckpoints(store);
    public final MockProducer<String, String> producer = new SharedMockProducer();
    public final KafkaTemplate<String, String> kafka = new KafkaTemplate<>(new MockProducerFactory<>(() -> producer));
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final WorkerThreads threads = WorkerThreads.create(2, 8);
    private final WorkerProperties properties;

    public JobHarness(Duration deadline) {
        this.properties = properties(deadline);
    }

    public static WorkerProperties properties(Duration deadline) {
        return new WorkerProperties("auto", 0.3, List.of(), 10 * 1024 * 1024, 4096, deadline, 0, "test",
                Duration.ofMillis(50), Duration.ofMillis(200));
    }

    public JobRunner runner(VideoGenerator generator) {
        return new JobRunner(generator, new ImageSource(store, properties), store, checkpoints, kafka, meters, threads,
                properties);
    }

    public static GenerationRequested request(String jobId, byte[] image, String type, GenerationParams params) {
        return new GenerationRequested(jobId, "owner-1", "A calm ocean at dawn <S>hello<E>", TestMedia.dataUri(type, image),
                params, Instant.parse("2026-11-25T12:00:00Z"));
    }

    /** Every event published so far, in order. */
    public List<GenerationEvent> events() {
        return producer.history().stream()
                .filter(record -> record.topic().equals(Topics.EVENTS))
                .map(ProducerRecord::value)
                .map(EventJson::readEvent)
                .toList();
    }

    public List<String> rawEvents() {
        return producer.history().stream().map(ProducerRecord::value).toList();
    }

    @Override
    public void close() {
        threads.close();
    }

    /** KafkaTemplate closes its producer after each send; a real factory hands out a shared one that survives it. */
    private static final class SharedMockProducer extends MockProducer<String, String> {
        SharedMockProducer() {
            super(true, null, new StringSerializer(), new StringSerializer());
        }

        @Override
        public void close() {
        }

        @Override
        public void close(java.time.Duration timeout) {
        }
    }
}
