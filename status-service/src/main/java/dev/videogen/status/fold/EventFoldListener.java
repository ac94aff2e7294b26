package dev.videogen.status.fold;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.Topics;
import dev.videogen.events.UnreadableMessageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DataAccessException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.AbstractConsumerSeekAware;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Folds three topics into the read model: requests (from the gateway or any producer) create queued jobs at once,
 * events move them on, deletions ({@link JobDeleted}) take them out. Unreadable records are logged and skipped: the
 * read model must not stall on one bad record; a record that failed because Redis was away is retried until Redis
 * is back ({@link FoldConfiguration}).
 * <p>
 * The read model is a cache of Kafka: whenever Redis no longer holds a partition's records (a fresh or flushed Redis),
 * that partition is folded again from its beginning. Replaying is safe because the fold is idempotent.
 */
@Component
class EventFoldListener extends AbstractConsumerSeekAware {

    private static final Logger log = LoggerFactory.getLogger(EventFoldListener.class);

    private final JobStore store;
    private final FoldedPartitions folded;
    private final MeterRegistry meters;
    private final Counter rewinds;
    private final Timer lag;
    private final Timer apply;

    EventFoldListener(JobStore store, FoldedPartitions folded, MeterRegistry meters) {
        this.store = store;
        this.folded = folded;
        this.meters = meters;
        this.rewinds = Counter.builder("videogen.readmodel.rewinds")
                .description("Kafka partitions folded again from their beginning because Redis lost the read model")
                .register(meters);
        this.lag = Timer.builder("videogen.fold.lag")
                .description("From a record's Kafka timestamp to its change being in Redis and announced to streams")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
        this.apply = Timer.builder("videogen.fold.apply")
                .description("Folding one event: reading the job, writing its changes, announcing them")
                .register(meters);
    }

    /**
     * Runs inside the listener's observation (spring.kafka.listener.observation-enabled): a record with a
     * {@code traceparent} header is folded in the trace of the job it belongs to.
     */
    @KafkaListener(id = "status-fold", topics = {Topics.REQUESTED, Topics.EVENTS, JobDeleted.TOPIC})
    void onRecord(ConsumerRecord<String, String> record) {
        MDC.put("jobId", record.key());
        try {
            if (Topics.REQUESTED.equals(record.topic())) {
                count("Requested", store.applyRequest(EventJson.readRequest(record.value())));
            } else if (JobDeleted.TOPIC.equals(record.topic())) {
                JobDeleted deletion = EventJson.read(record.value(), JobDeleted.class);
                if (deletion.jobId() == null || deletion.ownerId() == null) {
                    throw new UnreadableMessageException("deletion lacks jobId or ownerId");
                }
                count("Deleted", store.applyDeletion(deletion));
            } else {
                GenerationEvent event = EventJson.readEvent(record.value());
                long started = System.nanoTime();
                JobStore.Outcome outcome = store.applyEvent(event);
                apply.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                count(event.getClass().getSimpleName().replaceFirst("^Generation", ""), outcome);
                lag.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - record.timestamp())));
            }
        } catch (DataAccessException e) {
            throw e; // Redis is away: retried by the container's error handler, the record is not lost
        } catch (RuntimeException e) {
            meters.counter("videogen.fold.events", "type", "unreadable", "outcome", "skipped").increment();
            log.warn("skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        } finally {
            MDC.remove("jobId");
        }
    }

    /** Counts the record; at DEBUG also logs it, with its jobId (MDC) and the trace it continues. */
    private void count(String type, JobStore.Outcome outcome) {
        String result = outcome.name().toLowerCase(Locale.ROOT);
        meters.counter("videogen.fold.events", "type", type, "outcome", result).increment();
        log.debug("folded {}: {}", type, result);
    }

    /** On the consumer thread, before the first poll of these partitions: seeks are applied at once. */
    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        super.onPartitionsAssigned(assignments, callback);
        try {
            rewindLost(assignments.keySet(), callback);
        } catch (DataAccessException e) {
            log.warn("cannot tell whether Redis holds the read model ({}); checking again later", e.getMessage());
        }
    }

    /**
     * Folds again from their beginning the assigned partitions whose records Redis no longer holds. Called from
     * another thread: the container applies the seeks on its consumer thread before its next poll.
     */
    void rewindLostPartitions() {
        getCallbacksAndTopics().forEach((callback, partitions) -> rewindLost(partitions, callback));
    }

    /** One check at a time: the consumer thread and the watch must not both rewind the same partitions. */
    private synchronized void rewindLost(Collection<TopicPartition> partitions, ConsumerSeekCallback callback) {
        List<TopicPartition> lost = folded.missing(partitions);
        if (lost.isEmpty()) {
            return;
        }
        log.warn("the read model lacks {} partition(s) {}: folding them again from the beginning", lost.size(), lost);
        callback.seekToBeginning(lost);
        folded.mark(lost);
        rewinds.increment(lost.size());
    }
}
