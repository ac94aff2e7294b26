package dev.videogen.status.live;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;
import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process fan-out of the one Redis subscription, fed directly (no Redis: dispatch only). */
class JobUpdatesListenerTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final JobUpdatesListener listener = new JobUpdatesListener(null, null, meters);

    @Test
    void anUpdateIsSerializedOnceAndReachesEveryStreamOfItsJobOnly() {
        List<JobUpdate> firstOfA = collect(listener.subscribe("job-a"));
        List<JobUpdate> secondOfA = collect(listener.subscribe("job-a"));
        List<JobUpdate> ofB = collect(listener.subscribe("job-b"));

        listener.onMessage("videogen:updates:job-a", message("job-a", 2, 20));
        listener.onMessage("videogen:updates:job-c", message("job-c", 2, 20)); // nobody here watches it

        assertThat(firstOfA).hasSize(1);
        assertThat(secondOfA).hasSize(1);
        assertThat(secondOfA.get(0)).isSameAs(firstOfA.get(0)); // the same bytes for both streams
        assertThat(ofB).isEmpty();
        assertThat(meters.counter("videogen.sse.updates.serialized").count()).isEqualTo(1.0);
        String frame = new String(firstOfA.get(0).withId(), StandardCharsets.UTF_8);
        assertThat(frame).startsWith("id:2\ndata:{").endsWith("}\n\n").doesNotContain("ownerId");
        assertThat(EventJson.read(frame.substring(frame.indexOf("data:") + 5).strip(), VideoJob.class).progress())
                .isEqualTo(20);

        listener.onMessage("videogen:updates:job-b", message("job-b", 5, 50));
        assertThat(ofB).extracting(JobUpdate::sequence).containsExactly(5L);
        assertThat(firstOfA).hasSize(1);
    }

    @Test
    void anOlderStateThanTheLatestIsNotPassedOnAndClosedStreamsAreForgotten() {
        JobUpdatesListener.Subscriber subscriber = listener.subscribe("job-a");
        List<JobUpdate> seen = collect(subscriber);
        listener.onMessage("videogen:updates:job-a", message("job-a", 4, 40));
        listener.onMessage("videogen:updates:job-a", message("job-a", 3, 30));
        listener.onMessage("videogen:updates:job-a", message("job-a", 4, 40)); // a redelivery may carry a new position
        assertThat(seen).extracting(JobUpdate::sequence).containsExactly(4L, 4L);

        subscriber.close();
        assertThat(listener.watchedJobs()).isZero();
        listener.onMessage("videogen:updates:job-a", message("job-a", 5, 50));
        assertThat(seen).hasSize(2);
    }

    @Test
    void aStreamSendsNewStatesWithTheirIdAndPositionChangesWithout() {
        JobEventsController.Progress progress = new JobEventsController.Progress(-1);
        JobUpdate queued3 = JobUpdate.of(stored("job-a", 0, VideoJob.QUEUED, 3));
        JobUpdate queued2 = JobUpdate.of(stored("job-a", 0, VideoJob.QUEUED, 2));
        JobUpdate running = JobUpdate.of(stored("job-a", 1, VideoJob.RUNNING, null));
        assertThat(progress.next(queued3)).isSameAs(queued3.withId());
        assertThat(progress.next(queued3)).isNull();
        assertThat(progress.next(queued2)).isSameAs(queued2.withoutId());
        assertThat(progress.next(running)).isSameAs(running.withId());
        assertThat(progress.next(running)).isNull();
    }

    @Test
    void whenTheSubscriptionComesBackStreamsGetWhatIsNewerInRedisAndNothingElse() {
        Map<String, StoredJob> inRedis = new ConcurrentHashMap<>();
        JobStore store = new JobStore(null, null) {
            @Override
            public Mono<Optional<StoredJob>> find(String jobId) {
                return Mono.just(Optional.ofNullable(inRedis.get(jobId)));
            }
        };
        JobUpdatesListener catchingUp = new JobUpdatesListener(null, store, meters);
        List<JobUpdate> ofA = collect(catchingUp.subscribe("job-a"));
        List<JobUpdate> ofB = collect(catchingUp.subscribe("job-b"));
        catchingUp.onMessage("videogen:updates:job-a", message("job-a", 4, 40));
        catchingUp.onMessage("videogen:updates:job-b", message("job-b", 7, 70));

        catchingUp.subscribed("videogen:updates:*"); // the first subscription: nothing newer anywhere
        inRedis.put("job-a", EventJson.read(message("job-a", 6, 60), StoredJob.class)); // missed while away
        inRedis.put("job-b", EventJson.read(message("job-b", 7, 70), StoredJob.class)); // already sent
        inRedis.put("job-c", EventJson.read(message("job-c", 9, 90), StoredJob.class)); // nobody watches it here
        catchingUp.subscribed("videogen:updates:*"); // again, after a lost connection

        assertThat(ofA).extracting(JobUpdate::sequence).containsExactly(4L, 6L);
        assertThat(ofB).extracting(JobUpdate::sequence).containsExactly(7L);
        assertThat(meters.counter("videogen.sse.resubscriptions").count()).isEqualTo(1.0);
        assertThat(meters.counter("videogen.sse.caught.up").count()).isEqualTo(1.0);

        inRedis.put("job-a", EventJson.read(message("job-a", 5, 50), StoredJob.class)); // older: never backwards
        catchingUp.subscribed("videogen:updates:*");
        assertThat(ofA).extracting(JobUpdate::sequence).containsExactly(4L, 6L);
    }

    private static List<JobUpdate> collect(JobUpdatesListener.Subscriber subscriber) {
        List<JobUpdate> seen = new CopyOnWriteArrayList<>();
        subscriber.updates().subscribe(seen::add);
        return seen;
    }

    private static String message(String jobId, long sequence, int progress) {
        StoredJob stored = stored(jobId, sequence, VideoJob.RUNNING, null);
        VideoJob job = stored.job();
        return EventJson.write(new StoredJob(stored.ownerId(), sequence, new VideoJob(jobId, job.status(), progress,
                job.stage(), null, null, job.prompt(), job.imageUrl(), null, null, null, job.createdAt(),
                job.updatedAt())));
    }

    private static StoredJob stored(String jobId, long sequence, String status, Integer position) {
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        return new StoredJob("owner-1", sequence, new VideoJob(jobId, status, 0, status, position, null, "a prompt",
                VideoJob.imageUrlOf(jobId), null, null, null, at, at));
    }
}
