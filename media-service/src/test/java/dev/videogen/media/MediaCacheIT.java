package dev.videogen.media;

import dev.videogen.media.cache.MediaCache;
import io.minio.RemoveObjectArgs;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The local cache against the real object store, with a bound small enough (8 MiB) that copies get evicted while
 * the tests of {@link MediaServiceIT}, inherited, run too: whichever way a body comes, it must be the same.
 */
@TestPropertySource(properties = {"videogen.media.cache.max-size=8MB", "videogen.media.cache.revalidate-after=1h"})
class MediaCacheIT extends MediaServiceIT {

    private static final long BOUND = 8L * 1024 * 1024;
    private static final int LENGTH = 3 * 1024 * 1024 + 7;

    @Autowired
    MediaCache cache;

    @Test
    void afterTheFirstReadTheBytesComeFromTheCacheNotTheStore() throws Exception {
        String job = "01JCACHEIT00000000000000HIT";
        byte[] bytes = storeVideo(job, 11);

        assertThat(get("/api/video-blob/" + job).body()).isEqualTo(bytes); // a miss, served from the store
        awaitCached(job);
        awaitNoFillUnderWay();
        double storeRequests = storeRequests();
        double hits = cacheHits();

        assertThat(get("/api/video-blob/" + job).body()).isEqualTo(bytes);
        assertRange(job, bytes, "bytes=0-0", 0, 0);
        assertRange(job, bytes, "bytes=1000000-2048575", 1_000_000, 2_048_575);
        assertRange(job, bytes, "bytes=-70000", LENGTH - 70_000, LENGTH - 1);
        assertRange(job, bytes, "bytes=3000000-", 3_000_000, LENGTH - 1);
        assertThat(storeRequests()).as("requests to the object store").isEqualTo(storeRequests);
        assertThat(cacheHits()).isEqualTo(hits + 5);

        // The object is gone from the store behind the cache's back: the copy still answers (the store is asked
        // again only after revalidate-after, 1 h here), which it could not if any byte came from the store.
        minio.removeObject(RemoveObjectArgs.builder().bucket("videos").object(job + ".mp4").build());
        assertThat(get("/api/video-blob/" + job).body()).isEqualTo(bytes);
    }

    @Test
    void concurrentFirstReadsMakeOneCopy() throws Exception {
        String job = "01JCACHEIT000000000000MANY";
        byte[] bytes = storeVideo(job, 12);
        awaitNoFillUnderWay();
        double fills = fillsStarted();

        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<byte[]>> bodies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Callable<byte[]> read = () -> get("/api/video-blob/" + job).body();
                bodies.add(clients.submit(read));
            }
            for (Future<byte[]> body : bodies) {
                assertThat(body.get(60, TimeUnit.SECONDS)).isEqualTo(bytes);
            }
        } finally {
            clients.shutdownNow();
        }
        awaitCached(job);
        awaitNoFillUnderWay();
        assertThat(fillsStarted() - fills).as("copies made of the object").isEqualTo(1);
    }

    @Test
    void evictionKeepsTheDirectoryWithinItsBound() throws Exception {
        List<String> jobs = List.of("01JCACHEIT000000000000EVICT1", "01JCACHEIT000000000000EVICT2",
                "01JCACHEIT000000000000EVICT3", "01JCACHEIT000000000000EVICT4");
        int seed = 20;
        for (String job : jobs) {
            byte[] bytes = storeVideo(job, seed++);
            assertThat(get("/api/video-blob/" + job).body()).isEqualTo(bytes);
            awaitCached(job);
            assertThat(bytesIn(cache.directory())).isLessThanOrEqualTo(BOUND);
        }
        awaitNoFillUnderWay();
        assertThat(bytesIn(cache.directory())).isLessThanOrEqualTo(BOUND);
        assertThat(cached(jobs.get(0))).as("the least recently used copy is evicted").isFalse();
        assertThat(cached(jobs.get(3))).isTrue();
        // evicted or not, every object still answers with its bytes
        seed = 20;
        for (String job : jobs) {
            assertThat(get("/api/video-blob/" + job).body()).isEqualTo(randomBytes(LENGTH, seed++));
        }
    }

    @Test
    void internalDeleteEvictsTheCopy() throws Exception {
        String job = "01JCACHEIT0000000000DELETED";
        storeVideo(job, 30);
        get("/api/video-blob/" + job);
        awaitCached(job);

        assertThat(send(request("/internal/media/" + job, null).DELETE()).statusCode()).isEqualTo(204);

        assertThat(cached(job)).isFalse();
        assertProblem(get("/api/video-blob/" + job), 404, "urn:videogen:problem:media-not-found");
        // a new object under the same key is served as itself, never the old copy
        byte[] replaced = storeVideo(job, 31);
        assertThat(get("/api/video-blob/" + job).body()).isEqualTo(replaced);
    }

    // --- helpers

    private byte[] storeVideo(String job, long seed) throws Exception {
        byte[] bytes = randomBytes(LENGTH, seed);
        put(job + ".mp4", bytes, "video/mp4");
        own(job, OWNER, false);
        return bytes;
    }

    private void assertRange(String job, byte[] bytes, String range, int first, int last) throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + job, "Range", range);
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + LENGTH);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(bytes, first, last + 1));
    }

    private boolean cached(String job) {
        return cache.lease(job + ".mp4").map(lease -> {
            lease.close();
            return true;
        }).orElse(false);
    }

    private void awaitCached(String job) {
        await().atMost(Duration.ofSeconds(30)).until(() -> cached(job));
    }

    private void awaitNoFillUnderWay() {
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("videogen.media.cache.fills.active") == 0);
    }

    private double storeRequests() {
        return meters.get("videogen.media.s3.requests").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double cacheHits() {
        return meters.get("videogen.media.cache.requests").tag("result", "hit").counter().count();
    }

    private double fillsStarted() {
        return meters.get("videogen.media.cache.fills").counters().stream()
                .filter(c -> !"no-room".equals(c.getId().getTag("result")))
                .mapToDouble(c -> c.count()).sum();
    }

    private static long bytesIn(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
