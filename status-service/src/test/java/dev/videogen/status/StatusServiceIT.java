package dev.videogen.status;

import dev.videogen.events.CancelRequested;
import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationAccepted;
import dev.videogen.events.GenerationCanceled;
import dev.videogen.events.GenerationCompleted;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationFailed;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationProgressed;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.GenerationStarted;
import dev.videogen.events.JobError;
import dev.videogen.events.Topics;
import dev.videogen.events.VideoJob;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status service against a real Kafka broker (KRaft, in this JVM) and a real redis-server, both started here.
 * Records go in through Kafka exactly as the gateway and the worker send them; everything is observed over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "videogen.live.heartbeat=500ms",
        "videogen.fold.rebuild-check=500ms",
        "spring.kafka.consumer.properties.metadata.max.age.ms=2000"
})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers", brokerProperties = {
        "group.initial.rebalance.delay.ms=0",
        "offsets.topic.num.partitions=2"
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusServiceIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.url", EmbeddedRedis::url);
    }

    @LocalServerPort
    int port;

    @Autowired
    KafkaTemplate<String, String> kafka;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Test
    @Order(1)
    void duplicatesAndLateEventsNeverMoveAJobBackwardsAndTheEndIsFinal() throws Exception {
        String owner = "owner-fold";
        String jobId = "fold-" + shortId();
        requestedAndAccepted(jobId, owner, "a calm ocean");
        awaitJob(owner, jobId, job -> assertThat(job.status()).isEqualTo(VideoJob.QUEUED));

        try (SseClient stream = SseClient.open(baseUrl(), jobId, owner, null)) {
            await().atMost(WAIT).until(() -> !stream.events().isEmpty());
            event(started(jobId, 2));
            event(progressed(jobId, 4, 40));
            event(progressed(jobId, 3, 30));          // late
            event(progressed(jobId, 4, 40));          // duplicate
            event(progressed(jobId, 6, 35));          // newer but lower: progress stays
            event(progressed(jobId, 7, 60));
            event(completed(jobId, 9));
            event(progressed(jobId, 10, 70));         // after the end
            event(failed(jobId, 11));                 // after the end
            event(completed(jobId, 9));               // duplicate of the end

            await().atMost(WAIT).until(stream::ended);
            List<VideoJob> seen = stream.jobs();
            assertThat(stream.events().get(0).id()).isEqualTo("1");
            assertThat(seen.get(0).status()).isEqualTo(VideoJob.QUEUED);
            assertThat(stream.ids()).isSorted().doesNotHaveDuplicates();
            assertThat(seen).extracting(VideoJob::progress).isSorted();
            assertThat(seen.get(seen.size() - 1).status()).isEqualTo(VideoJob.SUCCEEDED);
            assertThat(seen).filteredOn(VideoJob::terminal).hasSize(1);
        }

        // give the records after the end time to be folded, then check they changed nothing
        event(progressed(jobId, 12, 10));
        await().atMost(WAIT).until(() -> metric("videogen_fold_events_total", "type=\"Progressed\"", "outcome=\"ignored\"") >= 3);
        VideoJob job = getJob(owner, jobId);
        assertThat(job.status()).isEqualTo(VideoJob.SUCCEEDED);
        assertThat(job.progress()).isEqualTo(100);
        assertThat(job.error()).isNull();
        assertThat(job.videoUrl()).isEqualTo("/api/video-blob/" + jobId);
        assertThat(job.queuePosition()).isNull();
        assertThat(metric("videogen_fold_events_total", "type=\"Progressed\"", "outcome=\"duplicate\"")).isGreaterThanOrEqualTo(1);
        assertThat(metric("videogen_fold_events_total", "type=\"Completed\"", "outcome=\"applied\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(2)
    void aRequestOrAcceptedArrivingAfterLaterEventsStillShowsTheJob() {
        String owner = "owner-late-request";
        String jobId = "late-" + shortId();
        send(Topics.EVENTS, jobId, "{not an event");      // skipped, and holds nothing up
        event(started(jobId, 2));
        event(progressed(jobId, 3, 30));
        await().atMost(WAIT).until(() -> "running".equals(redis.opsForHash().get("videogen:job:" + jobId, "status")));
        client().get().uri("/api/video-jobs/{id}", jobId).header("X-Videogen-Owner", owner).exchange()
                .expectStatus().isNotFound();

        request(jobId, owner, "late request", Instant.now());
        VideoJob job = awaitJob(owner, jobId, found -> assertThat(found.prompt()).isEqualTo("late request"));
        assertThat(job.status()).isEqualTo(VideoJob.RUNNING);
        assertThat(job.progress()).isEqualTo(30);
        assertThat(job.queuePosition()).isNull();
        assertThat(redis.opsForZSet().rank("videogen:queue", jobId)).isNull();
        assertThat(history(owner, null)).extracting(VideoJob::jobId).containsExactly(jobId);

        // no request at all, and the Accepted that carries it comes after a later event
        String other = "late-accepted-" + shortId();
        event(started(other, 2));
        event(accepted(other, 1, owner, "known from the events topic alone"));
        VideoJob fromEvents = awaitJob(owner, other, found -> assertThat(found.status()).isEqualTo(VideoJob.RUNNING));
        assertThat(fromEvents.prompt()).isEqualTo("known from the events topic alone");
        assertThat(fromEvents.queuePosition()).isNull();
        assertThat(metric("videogen_fold_events_total", "type=\"unreadable\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(3)
    void queuedJobsShowTheirPositionAndTheirStreamsFollowIt() throws Exception {
        String owner = "owner-queue";
        String first = "queue-1-" + shortId();
        String second = "queue-2-" + shortId();
        String third = "queue-3-" + shortId();
        // older than anything else in this test run, so these three lead the queue
        request(first, owner, "one", Instant.ofEpochMilli(1_000));
        request(second, owner, "two", Instant.ofEpochMilli(2_000));
        request(third, owner, "three", Instant.ofEpochMilli(3_000));
        awaitJob(owner, third, job -> assertThat(job.queuePosition()).isEqualTo(3));
        assertThat(getJob(owner, first).queuePosition()).isEqualTo(1);
        assertThat(getJob(owner, first).etaSeconds()).isNull();

        try (SseClient stream = SseClient.open(baseUrl(), third, owner, null)) {
            await().atMost(WAIT).until(() -> !stream.events().isEmpty());
            assertThat(stream.events().get(0).id()).isEqualTo("0");
            assertThat(stream.jobs().get(0).queuePosition()).isEqualTo(3);

            event(accepted(first, 1, owner, "one"));
            event(started(first, 2));
            await().atMost(WAIT).untilAsserted(() -> assertThat(stream.jobs()).extracting(VideoJob::queuePosition).contains(2));
            assertThat(getJob(owner, second).queuePosition()).isEqualTo(1);
            assertThat(getJob(owner, first).queuePosition()).isNull();

            event(accepted(third, 1, owner, "three"));
            event(canceled(third, 2));
            await().atMost(WAIT).until(stream::ended);
            assertThat(stream.ids()).containsExactly(0L, 1L, 2L);
            VideoJob last = stream.jobs().get(stream.jobs().size() - 1);
            assertThat(last.status()).isEqualTo(VideoJob.CANCELED);
            assertThat(last.queuePosition()).isNull();
        }
        assertThat(getJob(owner, second).queuePosition()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void historyPagesNewestFirstWithACursor() {
        String owner = "owner-history-" + shortId();
        Instant base = Instant.parse("2026-01-01T10:00:00Z");
        List<String> jobs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            String jobId = "history-" + i + "-" + shortId();
            jobs.add(jobId);
            request(jobId, owner, "job " + i, base.plusSeconds(60L * i));
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(history(owner, null)).hasSize(5));

        JsonNode all = page(owner, null, null);
        assertThat(all.get("nextCursor").isNull()).isTrue();
        assertThat(ids(all)).containsExactly(jobs.get(4), jobs.get(3), jobs.get(2), jobs.get(1), jobs.get(0));

        JsonNode first = page(owner, "2", null);
        assertThat(ids(first)).containsExactly(jobs.get(4), jobs.get(3));
        JsonNode second = page(owner, "2", first.get("nextCursor").asString());
        assertThat(ids(second)).containsExactly(jobs.get(2), jobs.get(1));
        JsonNode third = page(owner, "2", second.get("nextCursor").asString());
        assertThat(ids(third)).containsExactly(jobs.get(0));
        assertThat(third.get("nextCursor").isNull()).isTrue();

        for (String bad : List.of("0", "101", "ten", "-1")) {
            expectProblem(client().get().uri("/api/video-jobs?limit={limit}", bad).header("X-Videogen-Owner", owner)
                    .exchange(), HttpStatus.BAD_REQUEST);
        }
        expectProblem(client().get().uri("/api/video-jobs?cursor={cursor}", "bm90IGEgY3Vyc29y").header("X-Videogen-Owner", owner)
                .exchange(), HttpStatus.BAD_REQUEST);
        expectProblem(client().get().uri("/api/video-jobs?cursor={cursor}", "%%%").header("X-Videogen-Owner", owner)
                .exchange(), HttpStatus.BAD_REQUEST);

        // a deleted job leaves the history; the media service sees it as deleted (same hash fields it reads)
        client().delete().uri("/api/video-jobs/{id}", jobs.get(2)).header("X-Videogen-Owner", owner).exchange()
                .expectStatus().isNoContent();
        assertThat(ids(page(owner, null, null))).containsExactly(jobs.get(4), jobs.get(3), jobs.get(1), jobs.get(0));
        assertThat(redis.opsForHash().multiGet("videogen:job:" + jobs.get(2), List.of("owner", "deleted")))
                .containsExactly(owner, "1");
        expectProblem(client().get().uri("/api/video-jobs/{id}", jobs.get(2)).header("X-Videogen-Owner", owner)
                .exchange(), HttpStatus.NOT_FOUND);
        expectProblem(client().delete().uri("/api/video-jobs/{id}", jobs.get(2)).header("X-Videogen-Owner", owner)
                .exchange(), HttpStatus.NOT_FOUND);
        // it was still queued: deleting it also tells the worker not to make its video
        assertThat(readAll(Topics.COMMANDS)).extracting(ConsumerRecord::key).contains(jobs.get(2));
    }

    @Test
    @Order(5)
    void anotherOwnerGetsNotFoundOnEveryPath() {
        String owner = "owner-alice";
        String intruder = "owner-mallory";
        String jobId = "private-" + shortId();
        request(jobId, owner, "mine", Instant.now());
        awaitJob(owner, jobId, job -> assertThat(job.jobId()).isEqualTo(jobId));

        expectProblem(client().get().uri("/api/video-jobs/{id}", jobId).header("X-Videogen-Owner", intruder).exchange(),
                HttpStatus.NOT_FOUND);
        expectProblem(client().get().uri("/api/video-jobs?jobId={id}", jobId).header("X-Videogen-Owner", intruder).exchange(),
                HttpStatus.NOT_FOUND);
        expectProblem(client().get().uri("/api/video-jobs/{id}/events", jobId).accept(MediaType.TEXT_EVENT_STREAM)
                .header("X-Videogen-Owner", intruder).exchange(), HttpStatus.NOT_FOUND);
        expectProblem(client().post().uri("/api/video-jobs/{id}/cancel", jobId).header("X-Videogen-Owner", intruder)
                .exchange(), HttpStatus.NOT_FOUND);
        expectProblem(client().delete().uri("/api/video-jobs/{id}", jobId).header("X-Videogen-Owner", intruder)
                .exchange(), HttpStatus.NOT_FOUND);
        expectProblem(client().get().uri("/api/video-jobs/{id}", jobId).exchange(), HttpStatus.NOT_FOUND);
        assertThat(history(intruder, null)).isEmpty();

        assertThat(getJob(owner, jobId).status()).isEqualTo(VideoJob.QUEUED);
        assertThat(history(owner, null)).extracting(VideoJob::jobId).containsExactly(jobId);
    }

    @Test
    @Order(6)
    void aStreamResumesAfterLastEventIdWithoutLossOrDuplicatesAndEndsAfterTheEnd() throws Exception {
        String owner = "owner-sse";
        String jobId = "sse-" + shortId();
        requestedAndAccepted(jobId, owner, "live");
        awaitJob(owner, jobId, job -> assertThat(job.stage()).isEqualTo("waiting for a generation slot"));

        try (SseClient first = SseClient.open(baseUrl(), jobId, owner, null)) {
            await().atMost(WAIT).until(() -> !first.events().isEmpty());
            await().atMost(WAIT).until(() -> !first.comments().isEmpty()); // the heartbeat
            assertThat(metric("videogen_sse_streams")).isGreaterThanOrEqualTo(1);
            event(started(jobId, 2));
            event(progressed(jobId, 3, 20));
            await().atMost(WAIT).until(() -> first.ids().contains(3L));
            assertThat(first.ids()).containsExactly(1L, 2L, 3L);
        }

        event(progressed(jobId, 5, 50)); // while nobody listens
        await().atMost(WAIT).until(() -> getJob(owner, jobId).progress() == 50);

        try (SseClient resumed = SseClient.open(baseUrl(), jobId, owner, "3")) {
            await().atMost(WAIT).until(() -> !resumed.events().isEmpty());
            assertThat(resumed.events().get(0).id()).isEqualTo("5");
            assertThat(resumed.jobs().get(0).progress()).isEqualTo(50);
            event(progressed(jobId, 6, 70));
            event(completed(jobId, 8));
            await().atMost(WAIT).until(resumed::ended);
            assertThat(resumed.ids()).containsExactly(5L, 6L, 8L);
            assertThat(resumed.events()).allSatisfy(e -> assertThat(e.id()).isNotNull());
            assertThat(resumed.jobs()).extracting(VideoJob::progress).containsExactly(50, 70, 100);
        }

        try (SseClient afterTheEnd = SseClient.open(baseUrl(), jobId, owner, "8")) {
            await().atMost(WAIT).until(afterTheEnd::ended);
            assertThat(afterTheEnd.events()).isEmpty();
        }
        try (SseClient late = SseClient.open(baseUrl(), jobId, owner, null)) {
            await().atMost(WAIT).until(late::ended);
            assertThat(late.ids()).containsExactly(8L);
            assertThat(late.jobs().get(0).status()).isEqualTo(VideoJob.SUCCEEDED);
        }
        await().atMost(WAIT).until(() -> metric("videogen_sse_streams") == 0);
    }

    @Test
    @Order(7)
    void cancelAsksTheWorkerToStopAGoingJobAndLeavesAFinishedOneAlone() {
        String owner = "owner-cancel";
        String going = "cancel-going-" + shortId();
        String done = "cancel-done-" + shortId();
        requestedAndAccepted(going, owner, "going");
        requestedAndAccepted(done, owner, "done");
        event(completed(done, 2));
        awaitJob(owner, done, job -> assertThat(job.status()).isEqualTo(VideoJob.SUCCEEDED));
        awaitJob(owner, going, job -> assertThat(job.stage()).isEqualTo("waiting for a generation slot"));

        VideoJob unchanged = accepted202(client().post().uri("/api/video-jobs/{id}/cancel", done)
                .header("X-Videogen-Owner", owner).exchange());
        assertThat(unchanged.status()).isEqualTo(VideoJob.SUCCEEDED);
        VideoJob canceling = accepted202(client().post().uri("/api/video-jobs/{id}/cancel", going)
                .header("X-Videogen-Owner", owner).exchange());
        assertThat(canceling.jobId()).isEqualTo(going);
        assertThat(canceling.status()).isEqualTo(VideoJob.QUEUED);

        List<ConsumerRecord<String, String>> commands = readAll(Topics.COMMANDS);
        assertThat(commands).extracting(ConsumerRecord::key).contains(going).doesNotContain(done);
        CancelRequested command = EventJson.read(commands.stream().filter(r -> going.equals(r.key())).findFirst()
                .orElseThrow().value(), CancelRequested.class);
        assertThat(command.jobId()).isEqualTo(going);
        assertThat(command.ownerId()).isEqualTo(owner);
        assertThat(command.requestedAt()).isNotNull();
    }

    @Test
    @Order(8)
    void oneSubscriptionPerReplicaFansEachChangeOutToTheStreamsOfItsJobOnlySerializedOnce() throws Exception {
        String owner = "owner-fan-out";
        String first = "fan-out-a-" + shortId();
        String second = "fan-out-b-" + shortId();
        Instant now = Instant.now();
        request(second, owner, "b", now.minusSeconds(1)); // ahead of the other in the queue: its position stays
        request(first, owner, "a", now);
        event(accepted(first, 1, owner, "a"));
        event(accepted(second, 1, owner, "b"));
        awaitJob(owner, first, job -> assertThat(job.stage()).isEqualTo("waiting for a generation slot"));
        awaitJob(owner, second, job -> assertThat(job.stage()).isEqualTo("waiting for a generation slot"));

        try (SseClient a1 = SseClient.open(baseUrl(), first, owner, null);
             SseClient a2 = SseClient.open(baseUrl(), first, owner, null);
             SseClient b = SseClient.open(baseUrl(), second, owner, null)) {
            await().atMost(WAIT).until(() -> !a1.events().isEmpty() && !a2.events().isEmpty() && !b.events().isEmpty());
            double serializedBefore = metric("videogen_sse_updates_serialized_total");
            event(started(first, 2));
            event(started(second, 2));
            event(progressed(first, 3, 30));
            event(completed(second, 3));
            event(completed(first, 4));

            await().atMost(WAIT).until(() -> a1.ended() && a2.ended() && b.ended());
            assertThat(a1.ids()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(a2.ids()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(b.ids()).containsExactly(1L, 2L, 3L);
            assertThat(a1.jobs()).extracting(VideoJob::jobId).containsOnly(first);
            assertThat(a2.jobs()).isEqualTo(a1.jobs());
            assertThat(b.jobs()).extracting(VideoJob::jobId).containsOnly(second);
            // five changes, three streams: each change serialized once, not once per stream
            assertThat(metric("videogen_sse_updates_serialized_total") - serializedBefore).isEqualTo(5.0);
        }
    }

    @Test
    @Order(9)
    void streamsCatchUpOnChangesAnnouncedWhileTheSubscriptionWasAway() throws Exception {
        String owner = "owner-reconnect";
        String jobId = "reconnect-" + shortId();
        requestedAndAccepted(jobId, owner, "reconnect");
        event(started(jobId, 2));
        event(progressed(jobId, 3, 30));
        awaitJob(owner, jobId, job -> assertThat(job.progress()).isEqualTo(30));

        try (SseClient stream = SseClient.open(baseUrl(), jobId, owner, null)) {
            await().atMost(WAIT).until(() -> stream.ids().contains(3L));
            double resubscribed = metric("videogen_sse_resubscriptions_total");

            // a change in the read model whose announcement this replica never got (it was published while the
            // subscription was away): written without a PUBLISH, then the subscription's connection is lost
            redis.opsForHash().putAll("videogen:job:" + jobId,
                    Map.of("seq", "4", "progress", "45", "updatedAt", Instant.now().toString()));
            assertThat(killSubscriptions()).isPositive();
            await().atMost(WAIT).until(() -> metric("videogen_sse_resubscriptions_total") > resubscribed);
            await().atMost(WAIT).until(() -> stream.ids().contains(4L));
            assertThat(stream.jobs().get(stream.jobs().size() - 1).progress()).isEqualTo(45);

            // a change published through Kafka right after the connection is lost, while Lettuce reconnects
            killSubscriptions();
            event(progressed(jobId, 5, 60));
            await().atMost(WAIT).until(() -> stream.ids().contains(5L));

            // and the subscription carries changes again
            event(completed(jobId, 6));
            await().atMost(WAIT).until(stream::ended);
            assertThat(stream.ids()).containsExactly(3L, 4L, 5L, 6L);
            assertThat(stream.jobs()).extracting(VideoJob::progress).containsExactly(30, 45, 60, 100);
        }
    }

    @Test
    @Order(100)
    void afterRedisLosesEverythingTheReadModelIsRebuiltFromKafka() {
        String owner = "owner-rebuild-" + shortId();
        Instant base = Instant.parse("2026-02-01T10:00:00Z");
        String succeeded = "rebuild-done-" + shortId();
        String running = "rebuild-running-" + shortId();
        String queued = "rebuild-queued-" + shortId();
        String deleted = "rebuild-deleted-" + shortId();
        String eventsOnly = "rebuild-events-only-" + shortId();
        request(succeeded, owner, "done", base.plusSeconds(1));
        event(accepted(succeeded, 1, owner, "done", base.plusSeconds(1)));
        event(started(succeeded, 2));
        event(progressed(succeeded, 3, 50));
        event(completed(succeeded, 4));
        request(running, owner, "running", base.plusSeconds(2));
        event(accepted(running, 1, owner, "running", base.plusSeconds(2)));
        event(started(running, 2));
        event(progressed(running, 4, 40));
        request(queued, owner, "queued", base.plusSeconds(3));
        request(deleted, owner, "deleted", base.plusSeconds(4));
        event(accepted(eventsOnly, 1, owner, "events only", base.plusSeconds(5)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(history(owner, null)).hasSize(5));
        client().delete().uri("/api/video-jobs/{id}", deleted).header("X-Videogen-Owner", owner).exchange()
                .expectStatus().isNoContent();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(getJob(owner, succeeded).status()).isEqualTo(VideoJob.SUCCEEDED);
            assertThat(getJob(owner, running).progress()).isEqualTo(40);
        });
        List<VideoJob> before = history(owner, null);
        assertThat(before).extracting(VideoJob::jobId).containsExactly(eventsOnly, queued, running, succeeded);
        Map<String, VideoJob> jobsBefore = before.stream().collect(Collectors.toMap(VideoJob::jobId, job -> job));
        double rewindsBefore = metric("videogen_readmodel_rewinds_total");

        redis.execute((RedisCallback<Void>) connection -> {
            connection.serverCommands().flushAll();
            return null;
        });

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(history(owner, null)).isEqualTo(before);
            for (VideoJob job : before) {
                assertThat(getJob(owner, job.jobId())).isEqualTo(jobsBefore.get(job.jobId()));
            }
        });
        assertThat(metric("videogen_readmodel_rewinds_total")).isGreaterThan(rewindsBefore);
        expectProblem(client().get().uri("/api/video-jobs/{id}", deleted).header("X-Videogen-Owner", owner).exchange(),
                HttpStatus.NOT_FOUND);
        assertThat(redis.opsForHash().get("videogen:job:" + deleted, "deleted")).isEqualTo("1");
        assertThat(redis.opsForHash().size("videogen:readmodel:partitions")).isEqualTo(3L * Topics.REQUESTED_PARTITIONS);
    }

    /** Kills every pub/sub connection on Redis, as a network blip or a Redis failover would; returns how many. */
    private long killSubscriptions() {
        RedisClient client = RedisClient.create(EmbeddedRedis.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return connection.sync().clientKill(KillArgs.Builder.typePubsub());
        } finally {
            client.shutdown();
        }
    }

    // ---- Kafka in ----

    /** A job as a user's submit starts it: the request, then the worker's Accepted (sequence 1). */
    private void requestedAndAccepted(String jobId, String owner, String prompt) {
        request(jobId, owner, prompt, Instant.now());
        event(accepted(jobId, 1, owner, prompt));
    }

    private void request(String jobId, String owner, String prompt, Instant requestedAt) {
        send(Topics.REQUESTED, jobId, EventJson.write(new GenerationRequested(jobId, owner, prompt,
                "s3://uploads/" + jobId, GenerationParams.NONE, requestedAt)));
    }

    private void event(GenerationEvent event) {
        send(Topics.EVENTS, event.jobId(), EventJson.write(event));
    }

    private void send(String topic, String key, String value) {
        try {
            kafka.send(topic, key, value).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static GenerationAccepted accepted(String jobId, long seq, String owner, String prompt) {
        return accepted(jobId, seq, owner, prompt, Instant.now());
    }

    private static GenerationAccepted accepted(String jobId, long seq, String owner, String prompt, Instant requestedAt) {
        return new GenerationAccepted(UUID.randomUUID().toString(), jobId, seq, Instant.now(), owner, prompt,
                "s3://uploads/" + jobId, requestedAt);
    }

    private static GenerationStarted started(String jobId, long seq) {
        return new GenerationStarted(UUID.randomUUID().toString(), jobId, seq, Instant.now(), "demo");
    }

    private static GenerationProgressed progressed(String jobId, long seq, int progress) {
        return new GenerationProgressed(UUID.randomUUID().toString(), jobId, seq, Instant.now(), progress,
                "rendering", null, 10);
    }

    private static GenerationCompleted completed(String jobId, long seq) {
        return new GenerationCompleted("done-" + jobId, jobId, seq, Instant.now(), jobId + ".mp4", jobId + ".jpg",
                1234, 5000);
    }

    private static GenerationFailed failed(String jobId, long seq) {
        return new GenerationFailed(UUID.randomUUID().toString(), jobId, seq, Instant.now(),
                new JobError("urn:videogen:problem:provider", "Provider failed", "late failure"));
    }

    private static GenerationCanceled canceled(String jobId, long seq) {
        return new GenerationCanceled(UUID.randomUUID().toString(), jobId, seq, Instant.now(), "canceled by its owner");
    }

    // ---- Kafka out ----

    private List<ConsumerRecord<String, String>> readAll(String topic) {
        Map<String, Object> props = KafkaTestUtils.consumerProps(broker, "it-" + shortId(), false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return records;
        }
    }

    // ---- HTTP ----

    private String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private WebTestClient client() {
        return WebTestClient.bindToServer().baseUrl(baseUrl()).responseTimeout(Duration.ofSeconds(10)).build();
    }

    private VideoJob getJob(String owner, String jobId) {
        String body = client().get().uri("/api/video-jobs/{id}", jobId).header("X-Videogen-Owner", owner).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        return EventJson.read(body, VideoJob.class);
    }

    private VideoJob awaitJob(String owner, String jobId, java.util.function.Consumer<VideoJob> requirement) {
        List<VideoJob> found = new ArrayList<>();
        await().atMost(WAIT).untilAsserted(() -> {
            EntityExchangeResult<String> result = client().get().uri("/api/video-jobs/{id}", jobId)
                    .header("X-Videogen-Owner", owner).exchange().expectBody(String.class).returnResult();
            assertThat(result.getStatus().value()).isEqualTo(200);
            VideoJob job = EventJson.read(result.getResponseBody(), VideoJob.class);
            requirement.accept(job);
            found.add(job);
        });
        return found.get(found.size() - 1);
    }

    private JsonNode page(String owner, String limit, String cursor) {
        String body = client().get().uri(builder -> {
                    builder.path("/api/video-jobs");
                    if (limit != null) {
                        builder.queryParam("limit", limit);
                    }
                    if (cursor != null) {
                        builder.queryParam("cursor", cursor);
                    }
                    return builder.build();
                }).header("X-Videogen-Owner", owner).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        return EventJson.mapper().readTree(body);
    }

    private List<VideoJob> history(String owner, String cursor) {
        List<VideoJob> jobs = new ArrayList<>();
        page(owner, "100", cursor).get("items").forEach(item -> jobs.add(EventJson.mapper().treeToValue(item, VideoJob.class)));
        return jobs;
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("jobId").asString()));
        return ids;
    }

    private static VideoJob accepted202(WebTestClient.ResponseSpec response) {
        String body = response.expectStatus().isAccepted().expectBody(String.class).returnResult().getResponseBody();
        return EventJson.read(body, VideoJob.class);
    }

    private static void expectProblem(WebTestClient.ResponseSpec response, HttpStatus status) {
        response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(status.value())
                .jsonPath("$.type").exists()
                .jsonPath("$.title").exists()
                .jsonPath("$.detail").exists();
    }

    private double metric(String name, String... labels) {
        String body = client().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        return body.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> List.of(labels).stream().allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
