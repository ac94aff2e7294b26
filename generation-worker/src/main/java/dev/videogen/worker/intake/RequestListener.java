package dev.videogen.worker.intake;

import dev.videogen.events.EventJson;
import dev.videogen.worker.generation.JobRunner;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Takes generation requests from the shared consumer group. The offset of a record is committed only after the
 * listener returns, that is after the job's terminal event is in Kafka (ack mode RECORD).
 */
@Component
class RequestListener {

    private final JobRunner runner;

    RequestListener(JobRunner runner) {
        this.runner = runner;
    }

    @KafkaListener(id = "generation-worker", topics = dev.videogen.events.Topics.REQUESTED,
            concurrency = "${videogen.worker.concurrency:2}")
    void onRequest(ConsumerRecord<String, String> record) throws InterruptedException {
        runner.run(EventJson.readRequest(record.value()));
    }
}
