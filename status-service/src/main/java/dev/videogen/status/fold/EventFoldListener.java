package dev.videogen.status.fold;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.stereotype.Component;

import java.time.Duration;

/**
 * Folds both topics into the read model: requests (from the gateway or any producer) create queued jobs at once,
 * events move them on. Each update is published on the job's Redis channel so every replica's SSE streams see it.
 * Unreadable records are logged and skipped: the read model must not stall on one bad record.
 */
@Component
class EventFoldListener {

    private static final Logger log = LoggerFactory.getLogger(EventFoldListener.class);

    private final JobStore store;
    private final StringRedisTemplate redis;

    EventFoldListener(JobStore store, StringRedisTemplate redis) {
        this.store = store;
        this.redis = redis;
    }

    @KafkaListener(id = "status-fold", topics = {Topics.REQUESTED, Topics.EVENTS})
    void onRecord(ConsumerRecord<String, String> record) {
        MDC.put("jobId", record.key());
        try {
            if (Topics.REQUESTED.equals(record.topic())) {
                store.applyRequest(EventJson.readRequest(record.value()));
            } else {
                GenerationEvent event = EventJson.readEvent(record.value());
                store.applyEvent(event).ifPresent(stored ->
                        redis.convertAndSend(JobKeys.updates(event.jobId()), EventJson.write(stored)));
            }
        } catch (RuntimeException e) {
            if (e instanceof org.springframework.data.redis.RedisConnectionFailureException) {
                throw e; // retried by the container's error handler: the record is not lost
            }
            log.warn("skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        } finally {
            MDC.remove("jobId");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FoldTopics {

        @Bean
        NewTopic eventsTopic() {
            // the read model is rebuilt from this topic, so it keeps its history
            return TopicBuilder.name(Topics.EVENTS).partitions(Topics.REQUESTED_PARTITIONS).replicas(1)
                    .config("retention.ms", Long.toString(Duration.ofDays(3650).toMillis())).build();
        }
    }
}
