package dev.videogen.gateway.submit;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.Topics;
import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.MDC;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import java.util.function.Supplier;

/** Publishes generation requests keyed by jobId; the returned Mono completes once the broker has the record. */
@Component
class RequestPublisher {

    /** The MDC key of the job a log line is about, as in the other services. */
    static final String JOB_ID = "jobId";

    private final KafkaTemplate<String, String> kafka;

    RequestPublisher(KafkaTemplate<String, String> kafka) {
        this.kafka = kafka;
    }

    /**
     * Sends inside the HTTP request's observation (WebFlux keeps it in the Reactor context, not on a thread), so the
     * record's {@code traceparent} header continues the submit request's trace: one trace per job, from here on.
     */
    Mono<Void> publish(GenerationRequested request) {
        return Mono.deferContextual(context -> Mono.fromFuture(() -> inObservationOf(context,
                () -> kafka.send(Topics.REQUESTED, request.jobId(), EventJson.write(request))))).then();
    }

    /** Runs the body with the request's observation (if any) current on this thread and the jobId in the MDC. */
    static <T> T inObservationOf(ContextView context, String jobId, Supplier<T> body) {
        MDC.put(JOB_ID, jobId);
        try {
            return inObservationOf(context, body);
        } finally {
            MDC.remove(JOB_ID);
        }
    }

    private static <T> T inObservationOf(ContextView context, Supplier<T> body) {
        Observation observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        if (observation == null) {
            return body.get();
        }
        try (Observation.Scope ignored = observation.openScope()) {
            return body.get();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RequestedTopic {

        @Bean
        NewTopic requestedTopic() {
            return TopicBuilder.name(Topics.REQUESTED).partitions(Topics.REQUESTED_PARTITIONS).replicas(1).build();
        }
    }
}
