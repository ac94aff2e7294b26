package dev.videogen.gateway.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The proxy's client metrics are tagged by route: one time series per route, not one per job. */
class RouteTagsTest {

    @Test
    void aJobsPathBecomesItsRoute() {
        assertThat(ServiceProxy.RouteTags.route("/api/video-jobs/01JABC")).isEqualTo("/api/video-jobs/{jobId}");
        assertThat(ServiceProxy.RouteTags.route("/api/video-jobs/01JABC/events"))
                .isEqualTo("/api/video-jobs/{jobId}/events");
        assertThat(ServiceProxy.RouteTags.route("/api/video-blob/01JABC/poster"))
                .isEqualTo("/api/video-blob/{jobId}/poster");
        assertThat(ServiceProxy.RouteTags.route("/api/video-jobs")).isEqualTo("/api/video-jobs");
        assertThat(ServiceProxy.RouteTags.route("")).isEqualTo("none");
    }
}
