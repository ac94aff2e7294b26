package dev.videogen.media.cache;

import dev.videogen.media.storage.MediaStore.Download;
import dev.videogen.media.storage.MediaStore.ObjectInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cache's bookkeeping against a source that can misbehave on purpose (short, corrupt or failing downloads, a
 * download held open): what must never be served, and what the directory may hold.
 */
class MediaCacheTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicLong now = new AtomicLong();
    private volatile Behaviour behaviour = Behaviour.HONEST;
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private MediaCache cache;

    enum Behaviour { HONEST, SHORT, CORRUPT, FAILS_MIDWAY }

    @AfterEach
    void close() throws Exception {
        hold.countDown();
        if (cache != null) {
            cache.destroy();
        }
    }

    @Test
    void aCompleteCheckedCopyIsServedAndItsBytesAreTheObjects() throws Exception {
        cache = cache(10_000, Duration.ofMinutes(1));
        ObjectInfo info = store("a", 1000);

        assertThat(cache.lease("a")).isEmpty();
        cache.fill("a", info);
        awaitFills("stored", 1);

        try (MediaCache.Lease lease = cache.lease("a").orElseThrow()) {
            assertThat(lease.info()).isEqualTo(info);
            assertThat(Files.readAllBytes(lease.file())).isEqualTo(objects.get("a"));
        }
        assertThat(filesIn(dir, ".part")).isZero();
    }

    @Test
    void aShortCorruptOrFailedDownloadIsNeverServedAndLeavesNoFile() throws Exception {
        cache = cache(10_000, Duration.ofMinutes(1));
        ObjectInfo info = store("a", 1000);
        int attempts = 0;
        for (Behaviour bad : new Behaviour[] {Behaviour.SHORT, Behaviour.CORRUPT, Behaviour.FAILS_MIDWAY}) {
            behaviour = bad;
            cache.fill("a", info);
            attempts++;
            awaitFills(bad == Behaviour.FAILS_MIDWAY ? "failed" : "rejected", bad == Behaviour.CORRUPT ? 2 : 1);
            assertThat(cache.lease("a")).as(bad.name()).isEmpty();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).as(bad.name()).isEmpty();
            }
            assertThat(cache.usedBytes()).isZero();
        }
        assertThat(attempts).isEqualTo(3);
    }

    @Test
    void concurrentMissesStartOneFill() throws Exception {
        cache = cache(10_000, Duration.ofMinutes(1));
        ObjectInfo info = store("a", 1000);
        hold = new CountDownLatch(1);

        for (int i = 0; i < 20; i++) {
            cache.fill("a", info);
        }
        hold.countDown();
        awaitFills("stored", 1);
        cache.fill("a", info); // cached now: nothing to do
        assertThat(totalFills()).isEqualTo(1);
    }

    @Test
    void theDirectoryStaysWithinItsBoundEvictingTheLeastRecentlyUsed() throws Exception {
        cache = cache(3_500, Duration.ofMinutes(1));
        for (String key : new String[] {"a", "b", "c"}) {
            double stored = totalStored();
            cache.fill(key, store(key, 1000));
            awaitFills("stored", stored + 1);
        }
        cache.lease("a").orElseThrow().close(); // a is now more recent than b

        cache.fill("d", store("d", 1000));
        awaitFills("stored", 4);

        assertThat(cache.lease("b")).isEmpty();
        assertThat(cache.lease("a")).isPresent();
        assertThat(bytesIn(dir)).isLessThanOrEqualTo(3_500).isEqualTo(cache.usedBytes());

        cache.fill("big", store("big", 4000)); // larger than the whole cache
        assertThat(meters.get("videogen.media.cache.fills").tag("result", "no-room").counter().count()).isEqualTo(1);
    }

    @Test
    void aCopyBeingSentIsKeptUntilItsResponseEndsThenDeleted() throws Exception {
        cache = cache(2_000, Duration.ofMinutes(1));
        cache.fill("a", store("a", 1000));
        awaitFills("stored", 1);
        MediaCache.Lease sending = cache.lease("a").orElseThrow();

        cache.evict("a");
        assertThat(cache.lease("a")).isEmpty();
        assertThat(Files.exists(sending.file())).as("still being sent").isTrue();
        cache.fill("b", store("b", 1000));
        awaitFills("stored", 2);
        cache.fill("c", store("c", 1000)); // no room while a is still being sent and b is idle: b goes
        awaitFills("stored", 3);
        assertThat(bytesIn(dir)).isLessThanOrEqualTo(2_000);

        sending.close();
        sending.close(); // twice is harmless
        assertThat(Files.exists(sending.file())).isFalse();
        assertThat(bytesIn(dir)).isEqualTo(1000).isEqualTo(cache.usedBytes());
    }

    @Test
    void evictingDuringAFillDropsTheCopy() throws Exception {
        cache = cache(10_000, Duration.ofMinutes(1));
        ObjectInfo info = store("a", 1000);
        hold = new CountDownLatch(1);
        cache.fill("a", info);

        cache.evict("a"); // the job was deleted while its copy was being made
        hold.countDown();
        awaitFills("cancelled", 1);

        assertThat(cache.lease("a")).isEmpty();
        assertThat(bytesIn(dir)).isZero();
        assertThat(cache.usedBytes()).isZero();
    }

    @Test
    void aCopyIsStaleAfterTheRevalidationInterval() throws Exception {
        cache = cache(10_000, Duration.ofSeconds(60));
        cache.fill("a", store("a", 10));
        awaitFills("stored", 1);
        try (MediaCache.Lease lease = cache.lease("a").orElseThrow()) {
            assertThat(lease.stale()).isFalse();
            now.addAndGet(Duration.ofSeconds(61).toNanos());
            assertThat(lease.stale()).isTrue();
            lease.revalidated();
            assertThat(lease.stale()).isFalse();
        }
    }

    @Test
    void filesLeftByAnEarlierRunAreRemovedAtStart() throws Exception {
        Files.write(dir.resolve("0123-1.media"), new byte[100]);
        Files.write(dir.resolve("0123-2.part"), new byte[100]);
        Files.write(dir.resolve("not-ours.txt"), new byte[1]);

        cache = cache(10_000, Duration.ofMinutes(1));

        assertThat(filesIn(dir, ".media") + filesIn(dir, ".part")).isZero();
        assertThat(dir.resolve("not-ours.txt")).exists();
    }

    // --- helpers

    private MediaCache cache(long maxBytes, Duration revalidateAfter) {
        return new MediaCache(new MediaCacheProperties(dir.toString(), DataSize.ofBytes(maxBytes), revalidateAfter),
                this::download, meters, now::get);
    }

    private Download download(String key, Path target) throws Exception {
        hold.await(10, TimeUnit.SECONDS);
        byte[] bytes = objects.get(key);
        String md5 = md5(bytes);
        switch (behaviour) {
            case SHORT -> Files.write(target, java.util.Arrays.copyOf(bytes, bytes.length - 1));
            case CORRUPT -> {
                byte[] corrupt = bytes.clone();
                corrupt[corrupt.length / 2] ^= 1;
                Files.write(target, corrupt);
                return new Download(corrupt.length, "\"" + md5 + "\"", md5(corrupt));
            }
            case FAILS_MIDWAY -> {
                Files.write(target, java.util.Arrays.copyOf(bytes, bytes.length / 2));
                throw new java.io.IOException("connection reset");
            }
            case HONEST -> Files.write(target, bytes);
        }
        long written = Files.size(target);
        return new Download(written, "\"" + md5 + "\"", md5(Files.readAllBytes(target)));
    }

    private ObjectInfo store(String key, int length) throws Exception {
        byte[] bytes = new byte[length];
        new java.util.Random(key.hashCode()).nextBytes(bytes);
        objects.put(key, bytes);
        return new ObjectInfo(length, "\"" + md5(bytes) + "\"", Instant.parse("2026-11-25T12:00:00Z"), "video/mp4");
    }

    private void awaitFills(String result, double count) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(meters.get("videogen.media.cache.fills").tag("result", result).counter().count())
                        .isEqualTo(count));
    }

    private double totalStored() {
        return meters.get("videogen.media.cache.fills").tag("result", "stored").counter().count();
    }

    private double totalFills() {
        return meters.get("videogen.media.cache.fills").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static long bytesIn(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static long filesIn(Path dir, String suffix) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
        }
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

}
