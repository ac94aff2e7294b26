package dev.videogen.status.fold;

import dev.videogen.events.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

import java.time.Duration;

@Configuration(proxyBeanMethods = false)
class FoldConfiguration {

    /** A record that failed because Redis was away is retried until Redis is back: the read model loses nothing. */
    @Bean
    CommonErrorHandler foldErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(5_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        return new DefaultErrorHandler(backOff);
    }

    /** Declared here as in the gateway and the worker, so whichever starts first creates it the same way. */
    @Bean
    NewTopic requestedTopic() {
        return TopicBuilder.name(Topics.REQUESTED).partitions(Topics.REQUESTED_PARTITIONS).replicas(1).build();
    }

    /** The read model is rebuilt from this topic, so it keeps its history. */
    @Bean
    NewTopic eventsTopic() {
        return TopicBuilder.name(Topics.EVENTS).partitions(Topics.REQUESTED_PARTITIONS).replicas(1)
                .config("retention.ms", Long.toString(Duration.ofDays(3650).toMillis())).build();
    }

    /** Compacted: the latest record per job is kept for good, so a rebuild still knows every deletion. */
    @Bean
    NewTopic deletionsTopic() {
        return TopicBuilder.name(JobDeleted.TOPIC).partitions(Topics.REQUESTED_PARTITIONS).replicas(1).compact()
                .build();
    }
}
