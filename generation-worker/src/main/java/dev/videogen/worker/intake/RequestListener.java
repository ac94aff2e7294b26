package dev.videogen.worker.intake;

import dev.videogen.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;

/**
 * Takes generation requests from the shared consumer group and hands them to {@link InFlightJobs}, which runs them
 * concurrently and acknowledges each record (ack mode MANUAL) only after its job's terminal event is in Kafka.
 */
@Component
class RequestListener {

    static final String ID = "generation-worker";

    private final InFlightJobs jobs;

    RequestListener(InFlightJobs jobs) {
        this.jobs = jobs;
    }

    @KafkaListener(id = ID, topics = Topics.REQUESTED, concurrency = "${videogen.worker.concurrency:1}")
    void onRequest(ConsumerRecord<String, String> record, Acknowledgment ack) {
        jobs.accept(record, ack);
    }
}
