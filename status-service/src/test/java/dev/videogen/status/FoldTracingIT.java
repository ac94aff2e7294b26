package dev.videogen.status;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.GenerationStarted;
import dev.videogen.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fold joins the trace of the records it folds: a job's request and events with one {@code traceparent} are
 * logged with that trace id and the jobId; consumer lag and the fold's metrics are on /actuator/prometheus.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "logging.level.dev.videogen.status.fold.EventFoldListener=DEBUG",
        "spring.kafka.consumer.properties.metadata.max.age.ms=2000"
})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers", brokerProperties = {
        "group.initial.rebalance.delay.ms=0",
        "offsets.topic.num.partitions=2"
})
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class FoldTracingIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.url", EmbeddedRedis::url);
    }

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Test
    void aJobsRecordsAreFoldedInItsTraceWithItsJobIdOnEveryLine(CapturedOutput output) throws Exception {
        String jobId = "traced-" + UUID.randomUUID().toString().substring(0, 8);
        String traceparent = "00-" + TRACE_ID + "-b7ad6b7169203331-01";
        send(Topics.REQUESTED, jobId, EventJson.write(new GenerationRequested(jobId, "owner-trace", "a prompt",
                "s3://uploads/" + jobId, GenerationParams.NONE, Instant.now())), traceparent);
        send(Topics.EVENTS, jobId, EventJson.write(new GenerationStarted(UUID.randomUUID().toString(), jobId, 1,
                Instant.now(), "demo")), traceparent);

        await().atMost(WAIT).untilAsserted(() -> assertThat(output.getAll().lines()
                .filter(line -> line.contains("folded Started: applied") && line.contains("[" + jobId + "]")))
                .singleElement().asString().contains("[" + TRACE_ID + ","));
        assertThat(output.getAll().lines()
                .filter(line -> line.contains("folded Requested: applied") && line.contains("[" + jobId + "]")))
                .singleElement().asString().contains("[" + TRACE_ID + ",");

        String metrics = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("kafka_consumer_fetch_manager_records_lag_max",
                "spring_kafka_listener_seconds_count", "videogen_sse_streams");
        assertThat(metrics).doesNotContain(jobId);
    }

    private void send(String topic, String key, String value, String traceparent) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (Producer<String, String> producer = new KafkaProducer<>(config)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
    }
}
