package dev.videogen.worker;

import dev.videogen.events.CancelRequested;
import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationAccepted;
import dev.videogen.events.GenerationCanceled;
import dev.videogen.events.GenerationCompleted;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationProgressed;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.GenerationStarted;
import dev.videogen.events.GenerationSubmitted;
import dev.videogen.events.Topics;
import dev.videogen.worker.support.FakeOvi;
import dev.videogen.worker.support.LocalS3;
import dev.videogen.worker.support.TestMedia;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker end to end through its listener, against real infrastructure started here: a KRaft Kafka broker
 * (spring-kafka-test), an S3 API server (S3Proxy) and the provider's protocol (WireMock), in HuggingFace router mode.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "videogen.worker.generator=huggingface",
        "HF_TOKEN=" + FakeOvi.HF_TOKEN,
        "videogen.worker.job-deadline=60s",
        "videogen.ovi.poll-interval=50ms",
        "videogen.ovi.progress-interval=250ms",
        "videogen.ovi.backoff-first=20ms",
        "videogen.ovi.backoff-max=200ms",
        "videogen.ovi.request-timeout=5s",
        "spring.kafka.consumer.properties.session.timeout.ms=10000",
        // nothing sampled: trace ids must travel all the same (the running system samples everything, see PipelineIT)
        "management.tracing.sampling.probability=0",
})
@EmbeddedKafka(partitions = 12, bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@ExtendWith(OutputCaptureExtension.class)
class WorkerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static LocalS3 s3;
    private static FakeOvi upstream;

    @Autowired
    EmbeddedKafkaBroker broker;
    @LocalServerPort
    int port;

    private static final List<ConsumerRecord<String, String>> events = new CopyOnWriteArrayList<>();
    private static Consumer<String, String> eventsConsumer;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        start();
        registry.add("videogen.s3.endpoint", s3::endpoint);
        registry.add("videogen.s3.access-key", () -> LocalS3.ACCESS_KEY);
        registry.add("videogen.s3.secret-key", () -> LocalS3.SECRET_KEY);
        registry.add("videogen.ovi.hub-url", upstream::url);
        registry.add("videogen.ovi.router-url", upstream::url);
        registry.add("videogen.ovi.fal-queue-url", upstream::url);
    }

    private static synchronized void start() throws Exception {
        if (s3 == null) {
            s3 = new LocalS3();
            upstream = new FakeOvi(true);
            upstream.mappingAsObject();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (eventsConsumer != null) {
            eventsConsumer.close();
        }
        upstream.close();
        s3.close();
    }

    @Test
    void aRequestBecomesAStoredVideoAndItsOffsetIsCommittedAfterCompleted(CapturedOutput output) throws Exception {
        String jobId = "it-ok";
        byte[] png = TestMedia.png();
        byte[] mp4 = TestMedia.mp4();
        s3.put("uploads", jobId, png, "image/png");
        stubJob("it-ok prompt", "req-ok", "IN_QUEUE:1", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS",
                "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED");
        upstream.result("req-ok", mp4);

        RecordMetadata sent = send(Topics.REQUESTED, jobId, EventJson.write(new GenerationRequested(jobId, "owner-1",
                "it-ok prompt", "s3://uploads/" + jobId, GenerationParams.NONE, Instant.now())));

        GenerationCompleted completed = awaitEvent(jobId, GenerationCompleted.class);
        List<GenerationEvent> all = eventsOf(jobId);
        assertThat(all.get(0)).isInstanceOf(GenerationAccepted.class);
        assertThat(all.get(1)).isInstanceOfSatisfying(GenerationStarted.class,
                started -> assertThat(started.generator()).isEqualTo("huggingface"));
        assertThat(all).filteredOn(GenerationSubmitted.class::isInstance).singleElement()
                .isInstanceOfSatisfying(GenerationSubmitted.class,
                        submitted -> assertThat(submitted.providerRequestId()).isEqualTo("req-ok"));
        assertThat(all).extracting(GenerationEvent::sequence).isSorted().doesNotHaveDuplicates();
        assertProgressAtLeastEverySecond(all);
        assertThat(completed.bytes()).isEqualTo(mp4.length);

        assertThat(s3.get("videos", jobId + ".mp4")).hasValueSatisfying(video -> assertThat(video).isEqualTo(mp4));
        assertThat(s3.contentType("videos", jobId + ".mp4")).isEqualTo("video/mp4");
        assertThat(s3.get("videos", jobId + ".jpg")).hasValueSatisfying(jpeg ->
                assertThat(jpeg).startsWith((byte) 0xFF, (byte) 0xD8));
        upstream.server.verify(1, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT))
                .withRequestBody(matchingJsonPath("$.prompt", equalTo("it-ok prompt")))
                .withRequestBody(matchingJsonPath("$.image_url", equalTo(TestMedia.dataUri("image/png", png)))));

        awaitCommittedPast(sent);

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("videogen_worker_upstream_requests_total", "videogen_worker_jobs_running");
        String secretPart = FakeOvi.HF_TOKEN.substring(FakeOvi.HF_TOKEN.length() - 12);
        assertThat(metrics).doesNotContain(secretPart);
        assertThat(output.getAll()).doesNotContain(secretPart);
        assertThat(rawEventsOf(jobId)).noneMatch(json -> json.contains(secretPart));
    }

    @Test
    void anUnreadableRequestGoesToTheDeadLetterTopicAndTheNextOneStillRuns() throws Exception {
        try (Consumer<String, String> dlt = consumer("dlt-reader")) {
            dlt.subscribe(List.of(Topics.REQUESTED_DLT));
            RecordMetadata bad = send(Topics.REQUESTED, "it-bad", "{this is not a request");

            List<ConsumerRecord<String, String>> dead = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                dlt.poll(Duration.ofMillis(200)).forEach(dead::add);
                return dead.stream().anyMatch(r -> "it-bad".equals(r.key()));
            });
            ConsumerRecord<String, String> record = dead.stream().filter(r -> "it-bad".equals(r.key())).findFirst()
                    .orElseThrow();
            assertThat(record.value()).isEqualTo("{this is not a request");
            assertThat(record.headers().lastHeader("kafka_dlt-exception-fqcn")).isNotNull();
            assertThat(new String(record.headers().lastHeader("kafka_dlt-original-topic").value(),
                    StandardCharsets.UTF_8)).isEqualTo(Topics.REQUESTED);

            String jobId = "it-after-bad";
            stubJob("after the bad one", "req-after", "IN_PROGRESS", "COMPLETED");
            upstream.result("req-after", TestMedia.mp4());
            RecordMetadata good = send(Topics.REQUESTED, jobId, EventJson.write(request(jobId, "after the bad one")));

            awaitEvent(jobId, GenerationCompleted.class);
            awaitCommittedPast(bad);
            awaitCommittedPast(good);
        }
    }

    @Test
    void aCancelOnTheCommandsTopicStopsTheRunningJobAndTheProvidersRequest() throws Exception {
        String jobId = "it-cancel";
        stubJob("cancel me", "req-cancel", "IN_PROGRESS");
        upstream.cancelAccepts("req-cancel");
        RecordMetadata sent = send(Topics.REQUESTED, jobId, EventJson.write(request(jobId, "cancel me")));
        await().atMost(WAIT).until(() -> eventsOf(jobId).stream()
                .anyMatch(e -> e instanceof GenerationProgressed p && "generating".equals(p.stage())));

        send(Topics.COMMANDS, jobId, EventJson.write(new CancelRequested(jobId, "owner-1", Instant.now())));

        GenerationCanceled canceled = awaitEvent(jobId, GenerationCanceled.class);
        assertThat(canceled.reason()).contains("canceled");
        upstream.server.verify(1, putRequestedFor(urlEqualTo(upstream.cancelUrl("req-cancel"))));
        awaitCommittedPast(sent);
    }

    @Test
    void aJobCanceledWhileItsRequestStillWaitsInKafkaEndsCanceledAtOnceAndNeverRuns() throws Exception {
        String jobId = "it-early";
        // no worker has taken the request yet: the one that owns its partition ends the job right away
        send(Topics.COMMANDS, jobId, EventJson.write(new CancelRequested(jobId, "owner-1", Instant.now())));
        GenerationCanceled canceled = awaitEvent(jobId, GenerationCanceled.class);
        assertThat(canceled.reason()).contains("queue");
        assertThat(s3.get("videos", "checkpoints/" + jobId + ".canceled")).isPresent();

        // when the queue reaches the request, it is acknowledged and skipped: nothing runs, nothing is paid
        RecordMetadata sent = send(Topics.REQUESTED, jobId, EventJson.write(request(jobId, "too late")));
        awaitCommittedPast(sent);
        assertThat(eventsOf(jobId)).hasSize(1).first().isInstanceOf(GenerationCanceled.class);
        upstream.server.verify(0, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT))
                .withRequestBody(matchingJsonPath("$.prompt", equalTo("too late"))));
    }

    @Test
    void aRebalanceHandsRunningJobsToTheNewOwnerWhichResumesThemWithoutSubmittingAgain() throws Exception {
        List<String> jobIds = keysCoveringEveryPartition("it-rb-");
        for (String jobId : jobIds) {
            stubJob("rebalance " + jobId, "req-" + jobId, "IN_PROGRESS");
            upstream.result("req-" + jobId, TestMedia.mp4());
            send(Topics.REQUESTED, jobId, EventJson.write(request(jobId, "rebalance " + jobId)));
        }
        for (String jobId : jobIds) {
            awaitEvent(jobId, GenerationSubmitted.class);
        }

        // a second worker joins the group: half of the partitions, with their running jobs, move to it
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(WorkerApplication.class).run(
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(), "--server.port=0",
                "--videogen.worker.generator=huggingface", "--HF_TOKEN=" + FakeOvi.HF_TOKEN,
                "--videogen.worker.instance-id=second", "--videogen.ovi.poll-interval=50ms",
                "--videogen.ovi.progress-interval=250ms", "--videogen.ovi.hub-url=" + upstream.url(),
                "--videogen.ovi.router-url=" + upstream.url(), "--videogen.ovi.fal-queue-url=" + upstream.url(),
                "--videogen.s3.endpoint=" + s3.endpoint(), "--videogen.s3.access-key=" + LocalS3.ACCESS_KEY,
                "--videogen.s3.secret-key=" + LocalS3.SECRET_KEY)) {
            await().atMost(WAIT).until(() -> jobIds.stream().anyMatch(jobId -> eventsOf(jobId).stream()
                    .filter(GenerationStarted.class::isInstance).count() == 2));

            for (String jobId : jobIds) {
                upstream.statuses("req-" + jobId, "COMPLETED");
            }
            for (String jobId : jobIds) {
                awaitEvent(jobId, GenerationCompleted.class);
            }
        }

        for (String jobId : jobIds) {
            upstream.server.verify(1, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT))
                    .withRequestBody(matchingJsonPath("$.prompt", equalTo("rebalance " + jobId))));
            List<GenerationEvent> all = eventsOf(jobId);
            assertThat(all).filteredOn(GenerationCompleted.class::isInstance).hasSize(1);
            assertThat(all).filteredOn(GenerationSubmitted.class::isInstance).hasSize(1);
            assertThat(s3.get("videos", jobId + ".mp4")).isPresent();
        }
        long moved = jobIds.stream().filter(jobId -> eventsOf(jobId).stream()
                .filter(GenerationStarted.class::isInstance).count() == 2).count();
        assertThat(moved).isPositive();
    }

    @Test
    void everyEventOfAJobContinuesTheTraceOfItsRequestAndItsLinesNameTheJob(CapturedOutput output) throws Exception {
        String traced = "it-traced";
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        stubJob("traced", "req-traced", "IN_PROGRESS", "COMPLETED");
        upstream.result("req-traced", TestMedia.mp4());
        String untraced = "it-untraced";
        stubJob("untraced", "req-untraced", "IN_PROGRESS", "COMPLETED");
        upstream.result("req-untraced", TestMedia.mp4());
        double succeededBefore = sample(metrics(), "videogen_worker_jobs_total", "outcome=\"succeeded\"");

        send(Topics.REQUESTED, traced, EventJson.write(request(traced, "traced")),
                "00-" + traceId + "-00f067aa0ba902b7-00");
        send(Topics.REQUESTED, untraced, EventJson.write(request(untraced, "untraced")));
        awaitEvent(traced, GenerationCompleted.class);
        awaitEvent(untraced, GenerationCompleted.class);

        // a request with a traceparent: every event of its job, the last ones sent long after the listener returned
        List<ConsumerRecord<String, String>> tracedEvents = recordsOf(traced);
        assertThat(tracedEvents).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(record -> assertThat(traceIdOf(record)).isEqualTo(traceId));
        // a request without one (an external producer): a new trace, one for all of its job's events
        List<ConsumerRecord<String, String>> untracedEvents = recordsOf(untraced);
        String newTrace = traceIdOf(untracedEvents.get(0));
        assertThat(newTrace).matches("[0-9a-f]{32}").isNotEqualTo(traceId).isNotEqualTo("0".repeat(32));
        assertThat(untracedEvents).allSatisfy(record -> assertThat(traceIdOf(record)).isEqualTo(newTrace));

        // lines logged from the job's callbacks carry its trace id and jobId (logback-test.xml prints both)
        await().atMost(WAIT).untilAsserted(() -> assertThat(output.getAll().lines()
                .filter(line -> line.contains("job " + traced + " succeeded")))
                .singleElement().asString().contains("[" + traceId + ",", "[" + traced + "]"));
        assertThat(output.getAll().lines().filter(line -> line.contains("job " + untraced + ": generating")))
                .singleElement().asString().contains("[" + newTrace + ",", "[" + untraced + "]");

        String metrics = metrics();
        assertThat(sample(metrics, "videogen_worker_jobs_total", "outcome=\"succeeded\""))
                .isGreaterThanOrEqualTo(succeededBefore + 2);
        assertThat(metrics).contains("videogen_worker_jobs_total{generator=\"huggingface\",outcome=\"canceled\"",
                "videogen_worker_job_queue_time_seconds_bucket", "videogen_worker_job_run_time_seconds_bucket",
                "videogen_worker_download_time_seconds_bucket", "kafka_consumer_fetch_manager_records_lag_max");
        assertThat(sample(metrics, "videogen_worker_download_time_seconds_count", "outcome=\"success\""))
                .isGreaterThanOrEqualTo(2);
        assertThat(metrics).doesNotContain("jobId=", traced);
    }

    // ------------------------------------------------------------------ helpers

    private String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of a metric's samples whose labels contain the given text (0 when there is none). */
    static double sample(String metrics, String name, String label) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The trace id of a record's W3C traceparent header ({@code 00-traceid-spanid-flags}). */
    private static String traceIdOf(ConsumerRecord<String, String> record) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader("traceparent");
        assertThat(header).as("traceparent of %s", record.value()).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8).split("-")[1];
    }

    private List<ConsumerRecord<String, String>> recordsOf(String jobId) {
        pollEvents();
        return events.stream().filter(r -> jobId.equals(r.key())).toList();
    }

    /** One key per partition of the requested topic, as Kafka's default partitioner places them. */
    private static List<String> keysCoveringEveryPartition(String prefix) {
        Map<Integer, String> byPartition = new java.util.TreeMap<>();
        for (int i = 0; byPartition.size() < Topics.REQUESTED_PARTITIONS; i++) {
            String key = prefix + i;
            int partition = org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
                    % Topics.REQUESTED_PARTITIONS;
            byPartition.putIfAbsent(partition, key);
        }
        return List.copyOf(byPartition.values());
    }

    private static GenerationRequested request(String jobId, String prompt) {
        return new GenerationRequested(jobId, "owner-1", prompt, TestMedia.dataUri("image/png", TestMedia.png()),
                GenerationParams.NONE, Instant.now());
    }

    /** Submit answers by prompt, so several jobs can share the one fake provider. */
    private static void stubJob(String prompt, String requestId, String... statuses) {
        upstream.server.stubFor(post(urlEqualTo(FakeOvi.HF_SUBMIT))
                .withRequestBody(matchingJsonPath("$.prompt", equalTo(prompt)))
                .willReturn(upstream.submitted(requestId)));
        upstream.statuses(requestId, statuses);
    }

    private RecordMetadata send(String topic, String key, String value) throws Exception {
        return send(topic, key, value, null);
    }

    private RecordMetadata send(String topic, String key, String value, String traceparent) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (Producer<String, String> producer = new KafkaProducer<>(config)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            if (traceparent != null) {
                record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
            }
            return producer.send(record).get();
        }
    }

    private Consumer<String, String> consumer(String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
    }

    private synchronized void pollEvents() {
        if (eventsConsumer == null) {
            eventsConsumer = consumer("it-events");
            eventsConsumer.subscribe(List.of(Topics.EVENTS));
        }
        eventsConsumer.poll(Duration.ofMillis(200)).forEach(events::add);
    }

    private List<String> rawEventsOf(String jobId) {
        return events.stream().filter(r -> jobId.equals(r.key())).map(ConsumerRecord::value).toList();
    }

    private List<GenerationEvent> eventsOf(String jobId) {
        pollEvents();
        return rawEventsOf(jobId).stream().map(EventJson::readEvent).toList();
    }

    private <T extends GenerationEvent> T awaitEvent(String jobId, Class<T> type) {
        await().atMost(WAIT).until(() -> eventsOf(jobId).stream().anyMatch(type::isInstance));
        return eventsOf(jobId).stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    private void awaitCommittedPast(RecordMetadata sent) throws Exception {
        TopicPartition partition = new TopicPartition(sent.topic(), sent.partition());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            await().atMost(WAIT).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("generation-worker")
                        .partitionsToOffsetAndMetadata().get();
                OffsetAndMetadata committed = offsets.get(partition);
                return committed != null && committed.offset() > sent.offset();
            });
        }
    }

    /** The contract: progress at least once a second while running. */
    private static void assertProgressAtLeastEverySecond(List<GenerationEvent> all) {
        Instant previous = null;
        for (GenerationEvent event : all) {
            if (event instanceof GenerationSubmitted || event instanceof GenerationProgressed) {
                if (previous != null) {
                    assertThat(Duration.between(previous, event.occurredAt())).isLessThanOrEqualTo(Duration.ofMillis(1100));
                }
                previous = event.occurredAt();
            }
        }
        assertThat(all).filteredOn(GenerationProgressed.class::isInstance).extracting(e -> ((GenerationProgressed) e).progress())
                .isSorted();
    }
}
