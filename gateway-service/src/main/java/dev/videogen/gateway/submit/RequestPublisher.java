package dev.videogen.gateway.submit;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Publishes generation requests keyed by jobId; the returned Mono completes once the broker has the record. */
@Component
class RequestPublisher {

    private final KafkaTemplate<String, String> kafka;

    RequestPublisher(KafkaTemplate<String, String> kafka) {
        this.kafka = kafka;
    }

    Mono<Void> publish(GenerationRequested request) {
        return Mono.fromFuture(() -> kafka.send(Topics.REQUESTED, request.jobId(), EventJson.write(request))).then();
    }

    @Configuration(proxyBeanMethods = false)
    static class RequestedTopic {

        @Bean
        NewTopic requestedTopic() {
            return TopicBuilder.name(Topics.REQUESTED).partitions(Topics.REQUESTED_PARTITIONS).replicas(1).build();
        }
    }
}
