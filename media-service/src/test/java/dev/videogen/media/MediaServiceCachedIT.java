package dev.videogen.media;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every test of {@link MediaServiceIT} again, with the local cache on and the job's video and poster already in it:
 * the headers, ranges and preconditions must be the same whether a body comes from the store or from the cache.
 * The 50 MiB video is larger than this cache, so the streaming tests still stream from the store.
 */
@TestPropertySource(properties = {"videogen.media.cache.max-size=40MB", "videogen.media.cache.revalidate-after=1h"})
class MediaServiceCachedIT extends MediaServiceIT {

    @BeforeAll
    void copyTheVideoAndPosterIntoTheCache() throws Exception {
        assertThat(get("/api/video-blob/" + JOB).body()).isEqualTo(video);
        assertThat(get("/api/video-blob/" + JOB + "/poster").body()).isEqualTo(poster);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(meters.get("videogen.media.cache.fills").tag("result", "stored").counter().count())
                        .isEqualTo(2));
    }

    @Test
    void cachedBodiesReadNothingFromTheStore() throws Exception {
        double storeRequests = storeRequests();
        double hits = cacheHits();

        assertThat(get("/api/video-blob/" + JOB).body()).isEqualTo(video);
        HttpResponse<byte[]> range = get("/api/video-blob/" + JOB, "Range", "bytes=1000000-1999999");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(video, 1_000_000, 2_000_000));
        assertThat(get("/api/video-blob/" + JOB + "/poster").body()).isEqualTo(poster);

        assertThat(storeRequests()).as("stat and get requests to the object store").isEqualTo(storeRequests);
        assertThat(cacheHits()).isEqualTo(hits + 3);
    }

    private double storeRequests() {
        return meters.get("videogen.media.s3.requests").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double cacheHits() {
        return meters.get("videogen.media.cache.requests").tag("result", "hit").counter().count();
    }
}
