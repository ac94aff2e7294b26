package dev.videogen.worker.support;

import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake provider for the scale benchmark that speaks the router protocol and takes a fixed time per job, like Ovi
 * on fal (about 40 s), with as many GPUs as jobs: every job completes {@code jobTime} after its submit. Stateful and
 * cheap (Reactor Netty), so hundreds of jobs polling twice a second cost it little. Counts what it serves.
 */
public final class SlowUpstream implements AutoCloseable {

    private static final String REQUESTS = "/fal-ai/fal-ai/ovi/requests/";

    private final Duration jobTime;
    private final byte[] video;
    private final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> durations = new ConcurrentHashMap<>();
    private final Map<String, Long> fetchedAt = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    public final AtomicLong submits = new AtomicLong();
    public final AtomicLong polls = new AtomicLong();
    public final AtomicLong results = new AtomicLong();
    public final AtomicLong downloads = new AtomicLong();
    private final DisposableServer server;

    public SlowUpstream(Duration jobTime, byte[] video) {
        this.jobTime = jobTime;
        this.video = video;
        this.server = HttpServer.create().host("127.0.0.1").port(0).route(routes -> routes
                .get("/api/models/chetwinlow1/Ovi", (request, response) -> json(response, 200, """
                        {"id":"chetwinlow1/Ovi","inferenceProviderMapping":{"fal-ai":{"status":"live",\
                        "providerId":"fal-ai/ovi/image-to-video","task":"image-to-video"}}}"""))
                .post("/fal-ai/fal-ai/ovi/image-to-video", (request, response) -> request.receive().aggregate()
                        .asString().defaultIfEmpty("").flatMap(body -> {
                            // warm-up jobs (prompt "warmup ...") take a second, so the JIT is warm before measuring
                            boolean warmup = body.contains("\"prompt\":\"warmup");
                            String id = (warmup ? "warmup-" : "bench-") + ids.incrementAndGet();
                            if (!warmup) {
                                submits.incrementAndGet();
                            }
                            submittedAt.put(id, System.nanoTime());
                            durations.put(id, warmup ? Duration.ofSeconds(1).toNanos() : jobTime.toNanos());
                            if (!warmup) {
                                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                            }
                            String url = "https://queue.fal.run/fal-ai/ovi/requests/" + id;
                            return json(response, 200, """
                                    {"status":"IN_QUEUE","request_id":"%s","response_url":"%s",\
                                    "status_url":"%s/status","cancel_url":"%s/cancel","queue_position":0}"""
                                    .formatted(id, url, url, url)).then();
                        }))
                .get(REQUESTS + "{id}/status", (request, response) -> {
                    polls.incrementAndGet();
                    Long at = submittedAt.get(request.param("id"));
                    if (at == null) {
                        return json(response, 404, "{\"detail\":\"Request not found\"}");
                    }
                    long elapsed = System.nanoTime() - at;
                    if (elapsed < durations.get(request.param("id"))) {
                        return json(response, 202, elapsed < 1_000_000_000L
                                ? "{\"status\":\"IN_QUEUE\",\"queue_position\":0}"
                                : "{\"status\":\"IN_PROGRESS\",\"logs\":[]}");
                    }
                    return json(response, 200, "{\"status\":\"COMPLETED\",\"metrics\":{\"inference_time\":"
                            + jobTime.toMillis() / 1000.0 + "}}");
                })
                .get(REQUESTS + "{id}", (request, response) -> {
                    results.incrementAndGet();
                    String id = request.param("id");
                    if (fetchedAt.putIfAbsent(id, System.nanoTime()) == null && id.startsWith("bench-")) {
                        running.decrementAndGet();
                    }
                    return json(response, 200, """
                            {"video":{"url":"%s/files/%s.mp4","content_type":"video/mp4","file_name":"output.mp4",\
                            "file_size":%d},"seed":1}""".formatted(url(), id, video.length));
                })
                .get("/files/{file}", (request, response) -> {
                    downloads.incrementAndGet();
                    return response.status(200).header("Content-Type", "video/mp4")
                            .header("Content-Length", Integer.toString(video.length))
                            .sendByteArray(Mono.just(video));
                }))
                .bindNow();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The most jobs that were generating at the same moment. */
    public int maxConcurrentJobs() {
        return maxRunning.get();
    }

    private static Mono<Void> json(HttpServerResponse response, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return response.status(HttpResponseStatus.valueOf(status)).header("Content-Type", "application/json")
                .header("Content-Length", Integer.toString(bytes.length)).sendByteArray(Mono.just(bytes)).then();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
