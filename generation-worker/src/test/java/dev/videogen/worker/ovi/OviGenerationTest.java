package dev.videogen.worker.ovi;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.videogen.events.GenerationCanceled;
import dev.videogen.events.GenerationCompleted;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationFailed;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationProgressed;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.GenerationStarted;
import dev.videogen.events.GenerationSubmitted;
import dev.videogen.events.JobError;
import dev.videogen.worker.generation.GenerationTimes;
import dev.videogen.worker.generation.JobControl;
import dev.videogen.worker.generation.JobRunner;
import dev.videogen.worker.generation.Outcome;
import dev.videogen.worker.support.FakeOvi;
import dev.videogen.worker.support.JobHarness;
import dev.videogen.worker.support.TestMedia;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import reactor.core.Disposable;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whole jobs against a local server that speaks the provider's protocol: the requests the worker sends, byte for
 * byte where it matters, and the events a user sees for each answer the provider can give.
 */
@ExtendWith(OutputCaptureExtension.class)
class OviGenerationTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String JOB = "job-1";

    private static FakeOvi hf;
    private static FakeOvi fal;
    private final JobHarness harness = new JobHarness(DEADLINE);

    @BeforeAll
    static void startServers() {
        hf = new FakeOvi(true);
        fal = new FakeOvi(false);
        TestMedia.mp4(); // render the provider's video once, outside every test's timing
    }

    @AfterAll
    static void stopServers() {
        hf.close();
        fal.close();
    }

    @AfterEach
    void reset() {
        hf.reset();
        fal.reset();
        harness.close();
    }

    // ------------------------------------------------------------------ happy paths

    @Test
    void routerHappyPathSendsExactlyTheProtocolsRequests(CapturedOutput output) {
        byte[] png = TestMedia.png();
        byte[] mp4 = TestMedia.mp4();
        hf.happyPath("req-1", mp4);

        Outcome outcome = run(router(harness, hf, DEADLINE), JobHarness.request(JOB, png, "image/png", GenerationParams.NONE));

        assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
        // 1. the mapping, with the token
        hf.server.verify(1, getRequestedFor(urlPathEqualTo(FakeOvi.MAPPING))
                .withQueryParam("expand[]", equalTo("inferenceProviderMapping"))
                .withHeader("Authorization", equalTo("Bearer " + FakeOvi.HF_TOKEN)));
        // 2. one submit to the router, the image as a data URI with its real type, no optional fields
        String expectedBody = """
                {"image_url":"data:image/png;base64,%s","prompt":"A calm ocean at dawn <S>hello<E>"}"""
                .formatted(Base64.getEncoder().encodeToString(png));
        hf.server.verify(1, postRequestedFor(urlEqualTo("/fal-ai/fal-ai/ovi/image-to-video?_subdomain=queue"))
                .withHeader("Authorization", equalTo("Bearer " + FakeOvi.HF_TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson(expectedBody)));
        // 3. polls on the path of response_url, through the router, with the token
        List<LoggedRequest> polls = hf.server.findAll(getRequestedFor(
                urlEqualTo("/fal-ai/fal-ai/ovi/requests/req-1/status?_subdomain=queue")));
        assertThat(polls).hasSizeGreaterThanOrEqualTo(6)
                .allSatisfy(poll -> assertThat(poll.getHeader("Authorization")).isEqualTo("Bearer " + FakeOvi.HF_TOKEN));
        // 4. the result, 5. the download without any credentials
        hf.server.verify(1, getRequestedFor(urlEqualTo("/fal-ai/fal-ai/ovi/requests/req-1?_subdomain=queue"))
                .withHeader("Authorization", equalTo("Bearer " + FakeOvi.HF_TOKEN)));
        hf.server.verify(1, getRequestedFor(urlEqualTo("/files/req-1/output.mp4")).withHeader("Authorization", absent()));
        hf.server.verify(0, putRequestedFor(anyUrl()));

        List<GenerationEvent> events = harness.events();
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .startsWith("GenerationAccepted", "GenerationStarted").endsWith("GenerationCompleted");
        assertThat(events).extracting(GenerationEvent::sequence).isSorted().doesNotHaveDuplicates();
        assertThat((GenerationStarted) events.get(1)).extracting(GenerationStarted::generator).isEqualTo("huggingface");
        assertThat(events).filteredOn(GenerationSubmitted.class::isInstance).hasSize(1);
        GenerationSubmitted submitted = events.stream().filter(GenerationSubmitted.class::isInstance)
                .map(GenerationSubmitted.class::cast).findFirst().orElseThrow();
        assertThat(submitted.provider()).isEqualTo("huggingface");
        assertThat(submitted.providerRequestId()).isEqualTo("req-1");
        List<GenerationProgressed> progress = progressOf(events);
        assertThat(progress).extracting(GenerationProgressed::progress).isSorted();
        assertThat(progress).anySatisfy(p -> {
            assertThat(p.stage()).isEqualTo("waiting in the provider's queue");
            assertThat(p.queuePosition()).isEqualTo(2);
            assertThat(p.etaSeconds()).isGreaterThanOrEqualTo(40);
        });
        assertThat(progress).anySatisfy(p -> assertThat(p.stage()).isEqualTo("generating"));
        assertThat(progress).allSatisfy(p -> assertThat(p.etaSeconds()).isNotNull().isPositive());
        GenerationCompleted completed = (GenerationCompleted) events.get(events.size() - 1);
        assertThat(completed.videoKey()).isEqualTo(JOB + ".mp4");
        assertThat(completed.posterKey()).isEqualTo(JOB + ".jpg");
        assertThat(completed.bytes()).isEqualTo(mp4.length);
        assertThat(completed.durationMs()).isBetween(4_900L, 5_200L);

        // stored byte for byte, with a real JPEG poster cut from it
        assertThat(harness.store.object("videos", JOB + ".mp4")).hasValueSatisfying(v -> assertThat(v).isEqualTo(mp4));
        assertThat(harness.store.contentType("videos", JOB + ".mp4")).isEqualTo("video/mp4");
        assertThat(harness.store.object("videos", JOB + ".jpg")).hasValueSatisfying(jpeg ->
                assertThat(jpeg).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF));
        assertThat(harness.checkpoints.load(JOB).finished()).isTrue();
        assertTokenNowhere(output, FakeOvi.HF_TOKEN);
    }

    @Test
    void arrayShapedMappingAndOptionalParametersWithAJpeg() {
        byte[] jpeg = TestMedia.jpeg();
        hf.happyPath("req-2", TestMedia.mp4());
        hf.mappingAsArray();

        Outcome outcome = run(router(harness, hf, DEADLINE),
                JobHarness.request(JOB, jpeg, "image/jpeg", new GenerationParams("blurry, text", 42, 30)));

        assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
        hf.server.verify(1, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT)).withRequestBody(equalToJson("""
                {"image_url":"data:image/jpeg;base64,%s","prompt":"A calm ocean at dawn <S>hello<E>",
                 "negative_prompt":"blurry, text","seed":42,"num_inference_steps":30}"""
                .formatted(Base64.getEncoder().encodeToString(jpeg)))));
    }

    @Test
    void falDirectUsesTheKeyAndFalsOwnPaths(CapturedOutput output) {
        byte[] png = TestMedia.png();
        fal.happyPath("req-3", TestMedia.mp4());

        Outcome outcome = run(direct(harness, fal), JobHarness.request(JOB, png, "image/png", GenerationParams.NONE));

        assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
        fal.server.verify(0, getRequestedFor(urlPathEqualTo(FakeOvi.MAPPING)));
        fal.server.verify(1, postRequestedFor(urlEqualTo("/fal-ai/ovi/image-to-video"))
                .withHeader("Authorization", equalTo("Key " + FakeOvi.FAL_KEY))
                .withHeader("Content-Type", equalTo("application/json")));
        assertThat(fal.server.findAll(getRequestedFor(urlEqualTo("/fal-ai/ovi/requests/req-3/status")))).isNotEmpty()
                .allSatisfy(poll -> assertThat(poll.getHeader("Authorization")).isEqualTo("Key " + FakeOvi.FAL_KEY));
        fal.server.verify(1, getRequestedFor(urlEqualTo("/fal-ai/ovi/requests/req-3")));
        assertThat(harness.events()).element(1).isInstanceOfSatisfying(GenerationStarted.class,
                started -> assertThat(started.generator()).isEqualTo("fal"));
        assertTokenNowhere(output, FakeOvi.FAL_KEY);
    }

    // ------------------------------------------------------------------ transient failures

    @Test
    void submitAnswering503IsRetriedAndThenSucceeds() {
        hf.happyPath("req-4", TestMedia.mp4());
        hf.server.stubFor(post(urlEqualTo(FakeOvi.HF_SUBMIT)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("{\"detail\":\"Service Unavailable\"}"))
                .willSetStateTo("up"));
        hf.server.stubFor(post(urlEqualTo(FakeOvi.HF_SUBMIT)).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(hf.submitted("req-4")));

        Outcome outcome = run(router(harness, hf, DEADLINE), request());

        assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
        hf.server.verify(2, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT)));
        assertThat(harness.events()).filteredOn(GenerationSubmitted.class::isInstance).hasSize(1);
    }

    @Test
    void tooManyRequestsWaitsAsRetryAfterSaysThenWithBackoff() {
        hf.happyPath("req-5", TestMedia.mp4());
        String status = hf.statusUrl("req-5");
        hf.server.stubFor(get(urlEqualTo(status)).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withBody("{\"detail\":\"Too Many Requests\"}")).willSetStateTo("still busy"));
        hf.server.stubFor(get(urlEqualTo(status)).inScenario("busy").whenScenarioStateIs("still busy")
                .willReturn(aResponse().withStatus(429)).willSetStateTo("free"));
        hf.server.stubFor(get(urlEqualTo(status)).inScenario("busy").whenScenarioStateIs("free")
                .willReturn(FakeOvi.status("COMPLETED")));

        Outcome outcome = run(router(harness, hf, DEADLINE), request());

        assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
        List<LoggedRequest> polls = hf.server.findAll(getRequestedFor(urlEqualTo(status)));
        assertThat(polls).hasSize(3);
        long afterRetryAfter = polls.get(1).getLoggedDate().getTime() - polls.get(0).getLoggedDate().getTime();
        assertThat(afterRetryAfter).as("pause after 'Retry-After: 1'").isGreaterThanOrEqualTo(950);
        long afterBackoff = polls.get(2).getLoggedDate().getTime() - polls.get(1).getLoggedDate().getTime();
        assertThat(afterBackoff).as("pause after a 429 without Retry-After").isBetween(5L, 900L);
    }

    @Test
    void aProviderThatStaysDownFailsTheJobAfterBoundedAttempts() {
        hf.happyPath("req-6", TestMedia.mp4());
        hf.server.stubFor(post(urlEqualTo(FakeOvi.HF_SUBMIT)).willReturn(aResponse().withStatus(502)));

        Outcome outcome = run(router(harness, hf, DEADLINE), request());

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        hf.server.verify(4, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT)));
        assertThat(failure().type()).isEqualTo("urn:videogen:error:provider-unavailable");
        assertThat(failure().detail()).contains("HTTP 502", "4 times");
    }

    // ------------------------------------------------------------------ permanent failures

    @Test
    void badTokenFailsAtOnceWithoutRetriesAndNeverShowsTheToken(CapturedOutput output) {
        hf.server.stubFor(hf.mappingRequest().willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"Invalid credentials in Authorization header\"}")));

        Outcome outcome = run(router(harness, hf, DEADLINE), request());

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        hf.server.verify(1, getRequestedFor(urlPathEqualTo(FakeOvi.MAPPING)));
        hf.server.verify(0, postRequestedFor(anyUrl()));
        JobError error = failure();
        assertThat(error.type()).isEqualTo("urn:videogen:error:provider-unauthorized");
        assertThat(error.detail()).contains("HF_TOKEN", "401", "Invalid credentials");
        assertTokenNowhere(output, FakeOvi.HF_TOKEN);
    }

    @Test
    void billingNotEnabledIsAPermanentBillingError() {
        hf.happyPath("req-7", TestMedia.mp4());
        hf.server.stubFor(post(urlEqualTo(FakeOvi.HF_SUBMIT)).willReturn(aResponse().withStatus(402)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"Pay-as-you go is not enabled for this account\"}")));

        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.FAILED);

        hf.server.verify(1, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT)));
        assertThat(failure().type()).isEqualTo("urn:videogen:error:provider-billing");
        assertThat(failure().detail()).contains("Pay-as-you go is not enabled");
    }

    @Test
    void inputRejectedCarriesFalsMessageAndIsNeverRetried() {
        hf.happyPath("req-8", TestMedia.mp4());
        hf.server.stubFor(post(urlEqualTo(FakeOvi.HF_SUBMIT)).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json")
                .withBody("""
                        {"detail":[{"loc":["body","image_url"],"msg":"Image dimensions are too small (min 128x128)",\
                        "type":"value_error"}]}""")));

        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.FAILED);

        hf.server.verify(1, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT)));
        assertThat(failure().type()).isEqualTo("urn:videogen:error:input-rejected");
        assertThat(failure().detail()).contains("Image dimensions are too small (min 128x128)", "body.image_url");
    }

    @Test
    void noFalMappingIsAClearPermanentErrorAndNothingIsSubmitted() {
        hf.mappingWithoutFal();

        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.FAILED);

        hf.server.verify(0, postRequestedFor(anyUrl()));
        assertThat(failure().type()).isEqualTo("urn:videogen:error:model-unavailable");
        assertThat(failure().detail()).contains("fal-ai");
    }

    @Test
    void resultNotFoundFailsTheJob() {
        hf.happyPath("req-9", TestMedia.mp4());
        hf.server.stubFor(get(urlEqualTo(hf.resultUrl("req-9"))).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"detail\":\"Request not found\"}")));

        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.FAILED);

        assertThat(failure().type()).isEqualTo("urn:videogen:error:result-missing");
        assertThat(harness.store.object("videos", JOB + ".mp4")).isEmpty();
    }

    @Test
    void aDownloadThatIsNotAnMp4IsRejected() {
        hf.happyPath("req-10", TestMedia.mp4());
        hf.result("req-10", "<html><body>Access denied</body></html>".getBytes());

        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.FAILED);

        assertThat(failure().type()).isEqualTo("urn:videogen:error:video-unplayable");
        assertThat(failure().detail()).contains("not an MP4");
        assertThat(harness.store.object("videos", JOB + ".mp4")).isEmpty();
    }

    @Test
    void anMp4HeaderOnAnUndecodableFileIsRejectedToo() {
        hf.happyPath("req-11", TestMedia.mp4());
        byte[] truncated = java.util.Arrays.copyOf(TestMedia.mp4(), 64);
        hf.result("req-11", truncated);

        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.FAILED);

        assertThat(failure().type()).isEqualTo("urn:videogen:error:video-unplayable");
    }

    // ------------------------------------------------------------------ deadline, cancel, crash and resume

    @Test
    void aJobPastItsDeadlineFailsWithATimeoutAndIsCanceledUpstream() {
        hf.happyPath("req-12", TestMedia.mp4());
        hf.statuses("req-12", "IN_PROGRESS");

        try (JobHarness shortDeadline = new JobHarness(Duration.ofMillis(1500))) {
            Outcome outcome = run(router(shortDeadline, hf, Duration.ofMillis(1500)), request());

            assertThat(outcome).isEqualTo(Outcome.FAILED);
            JobError error = failure(shortDeadline);
            assertThat(error.type()).isEqualTo("urn:videogen:error:timeout");
            assertThat(error.detail()).contains("1500 ms", "canceled");
        }
        hf.server.verify(1, putRequestedFor(urlEqualTo("/fal-ai/fal-ai/ovi/requests/req-12/cancel?_subdomain=queue"))
                .withHeader("Authorization", equalTo("Bearer " + FakeOvi.HF_TOKEN)));
    }

    @Test
    void cancelStopsTheJobCancelsUpstreamAndEndsItCanceled() {
        hf.happyPath("req-13", TestMedia.mp4());
        hf.statuses("req-13", "IN_PROGRESS");
        JobControl control = new JobControl();
        CompletableFuture<Outcome> outcome = router(harness, hf, DEADLINE).run(request(), control).toFuture();

        await().atMost(Duration.ofSeconds(10)).until(() -> harness.events().stream()
                .anyMatch(e -> e instanceof GenerationProgressed p && "generating".equals(p.stage())));
        control.cancel();

        assertThat(outcome).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(Outcome.CANCELED);
        hf.server.verify(1, putRequestedFor(urlEqualTo(hf.cancelUrl("req-13"))));
        assertThat(harness.events()).last().isInstanceOf(GenerationCanceled.class);
        assertThat(harness.checkpoints.load(JOB).finished()).isTrue();
    }

    @Test
    void aCancelDuringTheSubmitWaitsForItAndCancelsTheRequestItMade() {
        hf.happyPath("req-16", TestMedia.mp4());
        hf.statuses("req-16", "IN_PROGRESS");
        hf.server.stubFor(post(urlEqualTo(FakeOvi.HF_SUBMIT)).willReturn(hf.submitted("req-16").withFixedDelay(1000)));
        JobControl control = new JobControl();
        CompletableFuture<Outcome> outcome = router(harness, hf, DEADLINE).run(request(), control).toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> !hf.server.findAll(postRequestedFor(anyUrl())).isEmpty());

        control.cancel();

        assertThat(outcome).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(Outcome.CANCELED);
        hf.server.verify(1, putRequestedFor(urlEqualTo(hf.cancelUrl("req-16"))));
        assertThat(harness.checkpoints.load(JOB).providerRequestId()).isEqualTo("req-16");
    }

    @Test
    void aCrashedRunResumesPollingTheSameRequestWithoutASecondSubmit() {
        hf.happyPath("req-14", TestMedia.mp4());
        hf.statuses("req-14", "IN_PROGRESS");
        GenerationRequested request = request();

        // first run: until the provider has taken it, then the worker "dies" (its run is dropped, no terminal event)
        Disposable crashed = router(harness, hf, DEADLINE).run(request, new JobControl()).subscribe();
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.events().stream()
                .anyMatch(GenerationSubmitted.class::isInstance));
        crashed.dispose();
        long lastSequenceBefore = harness.events().get(harness.events().size() - 1).sequence();
        int eventsBefore = harness.events().size();
        assertThat(harness.checkpoints.load(JOB).providerRequestId()).isEqualTo("req-14");

        // the provider finishes meanwhile; a new worker (fresh client, fresh runner) gets the request again
        hf.statuses("req-14", "COMPLETED");
        Outcome outcome = run(router(harness, hf, DEADLINE), request);

        assertThat(outcome).isEqualTo(Outcome.SUCCEEDED);
        hf.server.verify(1, postRequestedFor(urlEqualTo(FakeOvi.HF_SUBMIT)));
        List<GenerationEvent> resumed = harness.events().subList(eventsBefore, harness.events().size());
        assertThat(resumed).noneMatch(e -> e instanceof GenerationSubmitted);
        assertThat(resumed).extracting(GenerationEvent::sequence).allMatch(s -> s > lastSequenceBefore).isSorted();
        assertThat(resumed).last().isInstanceOf(GenerationCompleted.class);
        hf.server.verify(0, putRequestedFor(anyUrl()));
    }

    @Test
    void aFinishedJobDeliveredAgainIsSkippedWithoutAnyRequest() {
        hf.happyPath("req-15", TestMedia.mp4());
        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.SUCCEEDED);
        int events = harness.events().size();
        int requests = hf.server.findAll(anyRequestedFor(anyUrl())).size();

        assertThat(run(router(harness, hf, DEADLINE), request())).isEqualTo(Outcome.SKIPPED);

        assertThat(harness.events()).hasSize(events);
        assertThat(hf.server.findAll(anyRequestedFor(anyUrl()))).hasSize(requests);
    }

    // ------------------------------------------------------------------ helpers

    private static JobRunner router(JobHarness harness, FakeOvi server, Duration deadline) {
        OviProperties properties = server.properties(Duration.ofSeconds(2));
        OviClient client = new OviClient(OviClient.Mode.HUGGINGFACE, new Secret(FakeOvi.HF_TOKEN), properties,
                harness.meters);
        return harness.runner(new OviVideoGenerator(client, new GenerationTimes(Duration.ofSeconds(40)), properties,
                harness.threads.cpuScheduler()));
    }

    private static JobRunner direct(JobHarness harness, FakeOvi server) {
        OviProperties properties = server.properties(Duration.ofSeconds(2));
        OviClient client = new OviClient(OviClient.Mode.FAL, new Secret(FakeOvi.FAL_KEY), properties, harness.meters);
        return harness.runner(new OviVideoGenerator(client, new GenerationTimes(Duration.ofSeconds(40)), properties,
                harness.threads.cpuScheduler()));
    }

    private static GenerationRequested request() {
        return JobHarness.request(JOB, TestMedia.png(), "image/png", GenerationParams.NONE);
    }

    private static Outcome run(JobRunner runner, GenerationRequested request) {
        return runner.run(request, new JobControl()).block(Duration.ofSeconds(30));
    }

    private JobError failure() {
        return failure(harness);
    }

    private static JobError failure(JobHarness harness) {
        List<GenerationEvent> events = harness.events();
        assertThat(events).last().isInstanceOf(GenerationFailed.class);
        return ((GenerationFailed) events.get(events.size() - 1)).error();
    }

    private static List<GenerationProgressed> progressOf(List<GenerationEvent> events) {
        return events.stream().filter(GenerationProgressed.class::isInstance).map(GenerationProgressed.class::cast)
                .toList();
    }

    /** The token must not be in a log line, an event, an error or a metric. */
    private void assertTokenNowhere(CapturedOutput output, String token) {
        String secretPart = token.substring(token.length() - 12);
        assertThat(output.getAll()).doesNotContain(token).doesNotContain(secretPart);
        assertThat(harness.rawEvents()).noneMatch(json -> json.contains(secretPart));
        assertThat(harness.store.object("videos", "checkpoints/" + JOB + ".json"))
                .hasValueSatisfying(json -> assertThat(new String(json)).doesNotContain(secretPart));
        harness.meters.getMeters().forEach(meter -> {
            assertThat(meter.getId().getName()).doesNotContain(secretPart);
            meter.getId().getTags().forEach(tag -> assertThat(tag.getValue()).doesNotContain(secretPart));
        });
        assertThat(harness.meters.getMeters()).isNotEmpty();
    }
}
