package dev.videogen.media;

import dev.videogen.media.cache.MediaCache;
import dev.videogen.media.storage.MediaKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every test of {@link MediaServiceIT} again with the cached copies revalidated against the store every second, so
 * that revalidation happens while they run; and what happens when many requests find a copy due for revalidation at
 * once.
 */
@TestPropertySource(properties = {"videogen.media.cache.max-size=40MB", "videogen.media.cache.revalidate-after=1s"})
class MediaCacheRevalidationIT extends MediaServiceIT {

    private static final int CLIENTS = 16;

    @Autowired
    MediaCache cache;

    @BeforeAll
    void copyTheVideoIntoTheCache() throws Exception {
        assertThat(get("/api/video-blob/" + JOB).body()).isEqualTo(video);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(meters.get("videogen.media.cache.fills").tag("result", "stored").counter().count())
                        .isGreaterThanOrEqualTo(1));
    }

    @Test
    void requestsFindingTheCopyDueForRevalidationAskTheStoreOnceBetweenThem() throws Exception {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(this::copyIsDueForRevalidation);
        double stats = statRequests();
        double hits = cacheHits();

        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<HttpResponse<byte[]>>> responses = new ArrayList<>();
            CyclicBarrier together = new CyclicBarrier(CLIENTS); // all requests leave at once, not as threads start
            for (int i = 0; i < CLIENTS; i++) {
                int from = i * 100_000;
                responses.add(clients.submit(() -> {
                    together.await(10, TimeUnit.SECONDS);
                    return get("/api/video-blob/" + JOB, "Range", "bytes=" + from + "-" + (from + 99_999));
                }));
            }
            for (int i = 0; i < CLIENTS; i++) {
                HttpResponse<byte[]> response = responses.get(i).get(60, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(206);
                assertThat(response.body()).isEqualTo(Arrays.copyOfRange(video, i * 100_000, i * 100_000 + 100_000));
            }
        } finally {
            clients.shutdownNow();
        }

        assertThat(cacheHits() - hits).as("requests served from the copy").isEqualTo(CLIENTS);
        // one shared revalidation; a second only if a request saw the copy stale just before the first one ended
        assertThat(statRequests() - stats).as("stat requests to the object store").isBetween(1.0, 2.0);
    }

    /** Looks at the cached copy without serving it (the look counts as a cache hit, before the test counts hits). */
    private boolean copyIsDueForRevalidation() {
        Optional<MediaCache.Lease> lease = cache.lease(MediaKeys.video(JOB));
        try {
            return lease.map(MediaCache.Lease::stale).orElse(false);
        } finally {
            lease.ifPresent(MediaCache.Lease::close);
        }
    }

    private double statRequests() {
        return meters.get("videogen.media.s3.requests").tag("operation", "stat").counter().count();
    }

    private double cacheHits() {
        return meters.get("videogen.media.cache.requests").tag("result", "hit").counter().count();
    }
}
