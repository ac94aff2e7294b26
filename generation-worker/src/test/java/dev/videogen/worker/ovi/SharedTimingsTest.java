package dev.videogen.worker.ovi;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationParams;
import dev.videogen.worker.generation.GenerationTimes;
import dev.videogen.worker.generation.JobControl;
import dev.videogen.worker.generation.Outcome;
import dev.videogen.worker.storage.ObjectStore;
import dev.videogen.worker.storage.WorkerStoreProperties;
import dev.videogen.worker.support.FakeOvi;
import dev.videogen.worker.support.InMemoryObjectStore;
import dev.videogen.worker.support.JobHarness;
import dev.videogen.worker.support.LocalS3;
import dev.videogen.worker.support.TestMedia;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

class SharedTimingsTest {

    private static final String MODEL = "chetwinlow1/Ovi";
    private static final Instant NOW = Instant.parse("2026-11-26T01:00:00Z");

    private final AtomicInteger puts = new AtomicInteger();
    private final InMemoryObjectStore store = new InMemoryObjectStore() {
        @Override
        public void put(String bucket, String key, byte[] bytes, String contentType) {
            puts.incrementAndGet();
            super.put(bucket, key, bytes, contentType);
        }
    };

    @Test
    void aWorkerThatStartsTakesOverWhatTheWorkerBeforeItLearnedThroughTheObjectStore() throws Exception {
        try (LocalS3 s3 = new LocalS3(); FakeOvi hf = new FakeOvi(true); JobHarness harness = new JobHarness(
                Duration.ofSeconds(30))) {
            ObjectStore real = new ObjectStore(new WorkerStoreProperties(s3.endpoint(), LocalS3.ACCESS_KEY,
                    LocalS3.SECRET_KEY, "us-east-1", "uploads", "videos"));
            GenerationTimes firstTimes = new GenerationTimes(Duration.ofSeconds(40));
            OviVideoGenerator first = generator(hf, harness, real, firstTimes);
            assertThat(first.expectedNanos()).as("nothing shared yet").isEqualTo(-1);

            hf.happyPath("req-1", TestMedia.mp4());
            Outcome outcome = harness.runner(first).run(JobHarness.request("job-1", TestMedia.png(), "image/png",
                    GenerationParams.NONE), new JobControl()).block(Duration.ofSeconds(30));
            assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
            long learned = first.expectedNanos();
            assertThat(learned).as("the polls that found it running").isPositive();
            first.close(); // the worker stops: what it knows goes to the object store

            String stored = new String(s3.get("videos", "workers/ovi-timings-huggingface.json").orElseThrow(),
                    StandardCharsets.UTF_8);
            assertThat(stored).contains("\"model\":\"chetwinlow1/Ovi\"", "\"notDoneMillis\":[");

            GenerationTimes secondTimes = new GenerationTimes(Duration.ofSeconds(40));
            OviVideoGenerator second = generator(hf, harness, real, secondTimes);
            // read in the background, so that a slow object store does not hold up the start
            await().atMost(Duration.ofSeconds(10)).until(() -> second.expectedNanos() > 0);
            assertThat(second.expectedNanos()).isCloseTo(learned, within(TimeUnit.MILLISECONDS.toNanos(1)));
            assertThat(secondTimes.typical()).isEqualTo(firstTimes.typical()).isNotEqualTo(Duration.ofSeconds(40));
            second.close();
        }
    }

    @Test
    void aSnapshotOfAnotherModelOrOlderThanAnHourOrUnreadableIsNotTaken() {
        SharedTimings shared = shared(Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(shared.load()).isEmpty();

        write(shared, new SharedTimings.Snapshot("someone/Other", NOW, List.of(40_000L), List.of(39_000L)));
        assertThat(shared.load()).isEmpty();

        write(shared, new SharedTimings.Snapshot(MODEL, NOW.minus(Duration.ofMinutes(61)), List.of(40_000L),
                List.of(39_000L)));
        assertThat(shared.load()).isEmpty();

        store.put("videos", shared.key(), "{not json".getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(shared.load()).isEmpty();

        SharedTimings.Snapshot fresh = new SharedTimings.Snapshot(MODEL, NOW.minus(Duration.ofMinutes(59)),
                List.of(40_000L), List.of(39_000L));
        write(shared, fresh);
        assertThat(shared.load()).contains(fresh);
    }

    @Test
    void aSlowObjectStoreDoesNotHoldUpTheStart() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        InMemoryObjectStore slow = new InMemoryObjectStore() {
            @Override
            public Optional<byte[]> get(String bucket, String key, int maxBytes) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.get(bucket, key, maxBytes);
            }
        };
        ExecutorService io = Executors.newSingleThreadExecutor();
        try {
            SharedTimings shared = new SharedTimings(slow, "huggingface", MODEL, io, Clock.fixed(NOW, ZoneOffset.UTC));
            SharedTimings.Snapshot stored = shared.snapshot(new long[] {40_000}, new long[] {39_000});
            slow.put("videos", shared.key(), EventJson.write(stored).getBytes(StandardCharsets.UTF_8), "application/json");
            CompletableFuture<SharedTimings.Snapshot> taken = new CompletableFuture<>();

            shared.loadInBackground(taken::complete); // returns while the store is still answering
            assertThat(taken).isNotDone();

            release.countDown();
            assertThat(taken.get(10, TimeUnit.SECONDS)).isEqualTo(stored);
        } finally {
            release.countDown();
            io.shutdownNow();
        }
    }

    @Test
    void writesAtMostEveryThirtySecondsAndOnceMoreWhenTheWorkerStops() {
        MutableClock clock = new MutableClock(NOW);
        SharedTimings shared = shared(clock);
        AtomicInteger snapshots = new AtomicInteger();

        shared.changed(() -> snapshot(shared, snapshots.incrementAndGet()));
        assertThat(puts).hasValue(1);
        clock.now = NOW.plusSeconds(29);
        shared.changed(() -> snapshot(shared, snapshots.incrementAndGet()));
        shared.changed(() -> snapshot(shared, snapshots.incrementAndGet()));
        assertThat(puts).hasValue(1);
        clock.now = NOW.plus(SharedTimings.SAVE_EVERY);
        shared.changed(() -> snapshot(shared, snapshots.incrementAndGet()));
        assertThat(puts).hasValue(2);

        shared.flush(() -> snapshot(shared, snapshots.incrementAndGet()));
        assertThat(puts).as("nothing new since the last write").hasValue(2);
        shared.changed(() -> snapshot(shared, snapshots.incrementAndGet()));
        shared.flush(() -> snapshot(shared, 99));
        assertThat(puts).hasValue(3);
        assertThat(shared.load().orElseThrow().generationMillis()).containsExactly(99L);
    }

    // ------------------------------------------------------------------ helpers

    private static OviVideoGenerator generator(FakeOvi hf, JobHarness harness, ObjectStore store,
                                               GenerationTimes times) {
        OviProperties properties = hf.properties(Duration.ofSeconds(2));
        OviClient client = new OviClient(OviClient.Mode.HUGGINGFACE, new Secret(FakeOvi.HF_TOKEN), properties,
                harness.meters);
        return OviVideoGenerator.sharing(client, times, properties, harness.threads.cpuScheduler(), store,
                harness.threads.ioExecutor());
    }

    private SharedTimings shared(Clock clock) {
        return new SharedTimings(store, "huggingface", MODEL, Runnable::run, clock);
    }

    private void write(SharedTimings shared, SharedTimings.Snapshot snapshot) {
        shared.changed(() -> snapshot);
        shared.flush(() -> snapshot);
    }

    private static SharedTimings.Snapshot snapshot(SharedTimings shared, long generationMillis) {
        return shared.snapshot(new long[] {generationMillis}, new long[] {generationMillis - 500});
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
