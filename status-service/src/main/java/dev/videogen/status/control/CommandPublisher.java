package dev.videogen.status.control;

import dev.videogen.events.CancelRequested;
import dev.videogen.events.EventJson;
import dev.videogen.events.Topics;
import dev.videogen.web.Problems;
import dev.videogen.status.fold.JobDeleted;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;

/**
 * Publishes what a caller asked for, keyed by jobId; each Mono completes once the broker has the record. A send
 * may block while the producer fetches metadata, so it never runs on an event loop.
 */
@Component
class CommandPublisher {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final KafkaTemplate<String, String> kafka;

    CommandPublisher(KafkaTemplate<String, String> kafka) {
        this.kafka = kafka;
    }

    /** For the worker running (or about to run) the job. */
    Mono<Void> cancel(CancelRequested command) {
        return send(Topics.COMMANDS, command.jobId(), EventJson.write(command));
    }

    /** For the read model, so that a rebuild keeps the job deleted. */
    Mono<Void> deleted(JobDeleted deletion) {
        return send(JobDeleted.TOPIC, deletion.jobId(), EventJson.write(deletion));
    }

    private Mono<Void> send(String topic, String key, String value) {
        return Mono.fromFuture(() -> kafka.send(topic, key, value))
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(TIMEOUT)
                .onErrorMap(e -> Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "kafka-unavailable",
                        "Service unavailable", "The request could not be recorded; try again in a moment."))
                .then();
    }
}
