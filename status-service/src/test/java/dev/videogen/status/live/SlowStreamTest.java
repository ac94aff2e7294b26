package dev.videogen.status.live;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;
import dev.videogen.status.fold.StoredJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that does not read holds up nobody and buffers nothing but the latest state (no Redis: dispatch only). */
class SlowStreamTest {

    private static final int UPDATES = 2_000;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final JobUpdatesListener listener = new JobUpdatesListener(null, null, meters);
    private final JobEventsController controller =
            new JobEventsController(null, listener, new LiveProperties(Duration.ofHours(1)), meters);

    @Test
    void aClientThatDoesNotReadGetsOnlyTheLatestStateAndTheOthersGetEverything() {
        List<String> fast = new CopyOnWriteArrayList<>();
        Disposable reading = controller.stream(stored(1, 1), listener.subscribe("job-a"), 0)
                .map(frame -> new String(frame, StandardCharsets.UTF_8))
                .subscribe(fast::add);

        List<String> slow = new CopyOnWriteArrayList<>();
        BaseSubscriber<String> notReading = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                request(1); // the current state, then nothing
            }

            @Override
            protected void hookOnNext(String frame) {
                slow.add(frame);
            }
        };
        controller.stream(stored(1, 1), listener.subscribe("job-a"), 0)
                .map(frame -> new String(frame, StandardCharsets.UTF_8))
                .subscribe(notReading);
        assertThat(slow).hasSize(1);

        for (int sequence = 2; sequence <= UPDATES; sequence++) {
            listener.onMessage("videogen:updates:job-a", EventJson.write(stored(sequence, sequence * 100 / UPDATES)));
        }
        // the reading client was not held up: it has every state, in order, while the other one waits
        assertThat(fast).hasSize(UPDATES);
        for (int i = 0; i < UPDATES; i++) {
            assertThat(fast.get(i)).startsWith("id:" + (i + 1) + "\n");
        }
        assertThat(slow).hasSize(1);

        // when it reads again it gets the latest state, after at most one older one still queued: not the backlog
        notReading.request(100);
        assertThat(slow).hasSizeBetween(2, 3);
        assertThat(slow.get(slow.size() - 1)).startsWith("id:" + UPDATES + "\n");
        int seen = slow.size();
        listener.onMessage("videogen:updates:job-a", EventJson.write(stored(UPDATES + 1, 100)));
        assertThat(slow).hasSize(seen + 1); // and it still follows what comes next
        assertThat(slow.get(seen)).startsWith("id:" + (UPDATES + 1) + "\n");
        notReading.dispose();
        reading.dispose();
    }

    private static StoredJob stored(long sequence, int progress) {
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        return new StoredJob("owner-1", sequence, new VideoJob("job-a", VideoJob.RUNNING, progress, "generating",
                null, null, "a prompt", VideoJob.imageUrlOf("job-a"), null, null, null, at, at));
    }
}
