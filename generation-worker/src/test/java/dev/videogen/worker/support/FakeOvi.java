package dev.videogen.worker.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.videogen.worker.ovi.OviProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A local HTTP server that answers like the HuggingFace hub, the router and fal's queue, byte for byte as the
 * protocol document shows them. One server plays all three; the client under test gets its URL as each base URL.
 */
public final class FakeOvi implements AutoCloseable {

    public static final String HF_TOKEN = "hf_TESTtoken0123456789abcdefSECRET";
    public static final String FAL_KEY = "fal-key-id:fal-key-SECRET-0123456789";
    public static final String HF_SUBMIT = "/fal-ai/fal-ai/ovi/image-to-video?_subdomain=queue";
    public static final String FAL_SUBMIT = "/fal-ai/ovi/image-to-video";
    public static final String MAPPING = "/api/models/chetwinlow1/Ovi";

    public final WireMockServer server = new WireMockServer(options().dynamicPort().containerThreads(40)
            .asynchronousResponseEnabled(true).asynchronousResponseThreads(20));
    private final boolean router;

    /** @param router true: the HuggingFace router's paths (with {@code _subdomain=queue}); false: fal's own */
    public FakeOvi(boolean router) {
        this.router = router;
        server.start();
    }

    public String url() {
        return server.baseUrl();
    }

    /** Fast polls and retries, so the tests take milliseconds where the real provider takes seconds. */
    public OviProperties properties(Duration requestTimeout) {
        return new OviProperties(url(), url(), url(), null, null, Duration.ofSeconds(2), requestTimeout,
                Duration.ofSeconds(10), Duration.ofMillis(25), Duration.ofMillis(50), 4, Duration.ofMillis(20),
                Duration.ofMillis(100), Duration.ofSeconds(5), null, DataSize.ofMegabytes(50), null, null, 0);
    }

    // ------------------------------------------------------------ paths as each door names them

    public String requestPath(String requestId) {
        return (router ? "/fal-ai" : "") + "/fal-ai/ovi/requests/" + requestId;
    }

    public String statusUrl(String requestId) {
        return requestPath(requestId) + "/status" + query();
    }

    public String resultUrl(String requestId) {
        return requestPath(requestId) + query();
    }

    public String cancelUrl(String requestId) {
        return requestPath(requestId) + "/cancel" + query();
    }

    public String submitUrl() {
        return router ? HF_SUBMIT : FAL_SUBMIT;
    }

    private String query() {
        return router ? "?_subdomain=queue" : "";
    }

    // ------------------------------------------------------------ answers

    public void mappingAsObject() {
        mapping("""
                {"_id":"68d2","id":"chetwinlow1/Ovi","inferenceProviderMapping":{"fal-ai":{"status":"live",\
                "providerId":"fal-ai/ovi/image-to-video","task":"image-to-video"}}}""");
    }

    public void mappingAsArray() {
        mapping("""
                {"_id":"68d2","id":"chetwinlow1/Ovi","inferenceProviderMapping":[{"provider":"replicate",\
                "providerId":"x/ovi","task":"text-to-video","status":"live"},{"provider":"fal-ai",\
                "providerId":"fal-ai/ovi/image-to-video","task":"image-to-video","status":"live"}]}""");
    }

    public void mappingWithoutFal() {
        mapping("""
                {"_id":"68d2","id":"chetwinlow1/Ovi","inferenceProviderMapping":{"replicate":{"status":"live",\
                "providerId":"x/ovi","task":"image-to-video"}}}""");
    }

    public void mapping(String json) {
        server.stubFor(mappingRequest().willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(json)));
    }

    public MappingBuilder mappingRequest() {
        return get(urlPathEqualTo(MAPPING)).withQueryParam("expand[]", equalTo("inferenceProviderMapping"));
    }

    public void submitAccepts(String requestId) {
        server.stubFor(post(urlEqualTo(submitUrl())).willReturn(submitted(requestId)));
    }

    public ResponseDefinitionBuilder submitted(String requestId) {
        String falUrl = "https://queue.fal.run/fal-ai/ovi/requests/" + requestId;
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                {"status":"IN_QUEUE","request_id":"%s","response_url":"%s","status_url":"%s/status",\
                "cancel_url":"%s/cancel","logs":null,"metrics":{},"queue_position":0}"""
                .formatted(requestId, falUrl, falUrl, falUrl));
    }

    /** Status answers in turn; the last one repeats. {@code IN_QUEUE:3} carries a queue position. */
    public void statuses(String requestId, String... states) {
        String scenario = "status-" + requestId;
        for (int i = 0; i < states.length; i++) {
            String current = i == 0 ? Scenario.STARTED : "poll-" + i;
            ScenarioMappingBuilder stub = get(urlEqualTo(statusUrl(requestId))).inScenario(scenario)
                    .whenScenarioStateIs(current);
            stub.willReturn(status(states[i]));
            if (i < states.length - 1) {
                stub.willSetStateTo("poll-" + (i + 1));
            }
            server.stubFor(stub);
        }
    }

    public static ResponseDefinitionBuilder status(String state) {
        String body;
        int code = 202;
        if (state.startsWith("IN_QUEUE")) {
            String position = state.contains(":") ? state.substring(state.indexOf(':') + 1) : "0";
            body = "{\"status\":\"IN_QUEUE\",\"queue_position\":" + position + ",\"response_url\":\"x\"}";
        } else if (state.equals("IN_PROGRESS")) {
            body = "{\"status\":\"IN_PROGRESS\",\"logs\":[{\"message\":\"step 3/30\",\"level\":\"INFO\"}],\"response_url\":\"x\"}";
        } else {
            code = 200;
            body = "{\"status\":\"COMPLETED\",\"logs\":null,\"metrics\":{\"inference_time\":41.7},\"response_url\":\"x\"}";
        }
        return aResponse().withStatus(code).withHeader("Content-Type", "application/json").withBody(body);
    }

    public void result(String requestId, byte[] video) {
        String file = "/files/" + requestId + "/output.mp4";
        server.stubFor(get(urlEqualTo(resultUrl(requestId))).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"video":{"url":"%s%s","content_type":"video/mp4","file_name":"output.mp4","file_size":%d},\
                        "seed":42}""".formatted(url(), file, video.length))));
        server.stubFor(get(urlEqualTo(file)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "video/mp4").withBody(video)));
    }

    public void cancelAccepts(String requestId) {
        server.stubFor(put(urlEqualTo(cancelUrl(requestId))).willReturn(aResponse().withStatus(202)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"CANCELLATION_REQUESTED\"}")));
    }

    /** The happy path of one request: accepted, queued, generating, completed, a real MP4. */
    public void happyPath(String requestId, byte[] video) {
        if (router) {
            mappingAsObject();
        }
        submitAccepts(requestId);
        statuses(requestId, "IN_QUEUE:2", "IN_QUEUE:1", "IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "COMPLETED");
        result(requestId, video);
        cancelAccepts(requestId);
    }

    public void reset() {
        server.resetAll();
    }

    @Override
    public void close() {
        server.stop();
    }
}
