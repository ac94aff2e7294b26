package dev.videogen.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the HuggingFace router in front of fal's Ovi queue, speaking the wire protocol of
 * {@code HF-PROTOCOL.md} (provider mapping, queue submit, status, result, cancel, file download) and taking a fixed
 * time per job, with as many "GPUs" as jobs. JDK only, so it runs inside a test or on its own:
 * {@code java e2e-tests/src/test/java/dev/videogen/e2e/FakeOvi.java PORT JOB_SECONDS VIDEO.mp4 [TOKEN]}
 * (then {@code GET /__stats} reports what it served, and {@code GET /__jobs} one CSV line per request with the
 * wall-clock times, in epoch milliseconds, of its submit, its completion, the first status poll answered COMPLETED,
 * the result answer and the end of the video download: what a benchmark needs to split the time after the upstream
 * finished). These two paths are the fake's own; the protocol's answers are untouched by them.
 */
public final class FakeOvi implements AutoCloseable {

    private static final String QUEUE = "/fal-ai/fal-ai/ovi/requests/";
    private static final Pattern PROMPT = Pattern.compile("\"prompt\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(
            Integer.getInteger("fakeovi.threads", 16));
    private final byte[] video;
    private final String token;
    private final long jobNanos;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    private final Map<String, String> promptsByRequest = new ConcurrentHashMap<>();
    /** Requests canceled while still in the queue: fal does not bill those. */
    private final Map<String, AtomicInteger> cancelsByPrompt = new ConcurrentHashMap<>();
    /** Submissions per prompt: a worker that pays twice for one job shows up here as a 2. */
    private final Map<String, AtomicInteger> submitsByPrompt = new ConcurrentHashMap<>();
    private final AtomicInteger submits = new AtomicInteger();
    private final AtomicInteger downloads = new AtomicInteger();
    private final Map<String, AtomicInteger> downloadsByPrompt = new ConcurrentHashMap<>();
    private final AtomicInteger unauthorized = new AtomicInteger();
    private final AtomicInteger statusPolls = new AtomicInteger();
    /** Per request: epoch ms of submit, first COMPLETED poll, result answer, download end; and its status polls. */
    private final Map<String, Timing> timings = new ConcurrentHashMap<>();
    /** Most requests generating at one moment (submitted less than the job time ago), and most not yet downloaded. */
    private final AtomicInteger maxGenerating = new AtomicInteger();
    private final AtomicInteger maxOutstanding = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();

    private static final class Timing {
        final long submitMs = System.currentTimeMillis();
        final long submitNanos = System.nanoTime();
        volatile long completedPollMs;
        volatile long resultMs;
        volatile long downloadEndMs;
        final AtomicInteger polls = new AtomicInteger();
    }

    public FakeOvi(int port, Duration jobTime, byte[] video, String token) throws IOException {
        this.video = video;
        this.token = token;
        this.jobNanos = jobTime.toNanos();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int submits() {
        return submits.get();
    }

    public int submits(String prompt) {
        AtomicInteger count = submitsByPrompt.get(prompt);
        return count == null ? 0 : count.get();
    }

    /** Submissions for a prompt that were not canceled before they ran: what the user would pay for. */
    public int paid(String prompt) {
        AtomicInteger cancels = cancelsByPrompt.get(prompt);
        return submits(prompt) - (cancels == null ? 0 : cancels.get());
    }

    /** Downloads of the videos made for a prompt: the worker has the provider's result in hand. */
    public int downloads(String prompt) {
        AtomicInteger count = downloadsByPrompt.get(prompt);
        return count == null ? 0 : count.get();
    }

    public int downloads() {
        return downloads.get();
    }

    public int unauthorized() {
        return unauthorized.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.equals("/__stats")) {
                json(exchange, 200, ("{\"submits\":%d,\"downloads\":%d,\"unauthorized\":%d,\"maxSubmitsOfOnePrompt\":%d,"
                        + "\"statusPolls\":%d,\"maxGenerating\":%d,\"maxOutstanding\":%d}")
                        .formatted(submits.get(), downloads.get(), unauthorized.get(), submitsByPrompt.values().stream()
                                .mapToInt(AtomicInteger::get).max().orElse(0), statusPolls.get(), maxGenerating.get(),
                                maxOutstanding.get()));
                return;
            }
            if (path.equals("/__jobs")) {
                StringBuilder csv = new StringBuilder("request_id,submit_ms,done_ms,completed_poll_ms,result_ms,"
                        + "download_end_ms,status_polls\n");
                long jobMs = jobNanos / 1_000_000;
                timings.forEach((id, t) -> csv.append(id).append(',').append(t.submitMs).append(',')
                        .append(t.submitMs + jobMs).append(',').append(t.completedPollMs).append(',')
                        .append(t.resultMs).append(',').append(t.downloadEndMs).append(',').append(t.polls.get())
                        .append('\n'));
                byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/csv");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
                return;
            }
            if (path.startsWith("/files/")) { // the result's download URL: no auth, like fal's CDN
                downloads.incrementAndGet();
                exchange.getResponseHeaders().set("Content-Type", "video/mp4");
                exchange.sendResponseHeaders(200, video.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(video);
                }
                String file = path.substring("/files/".length());
                String requestId = file.endsWith(".mp4") ? file.substring(0, file.length() - 4) : file;
                String prompt = promptsByRequest.get(requestId);
                if (prompt != null) {
                    downloadsByPrompt.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
                }
                Timing t = timings.get(requestId);
                if (t != null && t.downloadEndMs == 0) {
                    t.downloadEndMs = System.currentTimeMillis();
                    outstanding.decrementAndGet();
                }
                return;
            }
            if (token != null && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.incrementAndGet();
                json(exchange, 401, "{\"error\":\"Invalid credentials in Authorization header\"}");
                return;
            }
            String query = exchange.getRequestURI().getQuery();
            if (method.equals("GET") && path.equals("/api/models/chetwinlow1/Ovi")) {
                json(exchange, 200, "{\"id\":\"chetwinlow1/Ovi\",\"inferenceProviderMapping\":{\"fal-ai\":{\"status\":\"live\","
                        + "\"providerId\":\"fal-ai/ovi/image-to-video\",\"task\":\"image-to-video\"}}}");
            } else if (!"_subdomain=queue".equals(query)) {
                json(exchange, 404, "{\"error\":\"Not Found\"}");
            } else if (method.equals("POST") && path.equals("/fal-ai/fal-ai/ovi/image-to-video")) {
                submit(exchange, new String(body, StandardCharsets.UTF_8));
            } else if (method.equals("GET") && path.startsWith(QUEUE) && path.endsWith("/status")) {
                status(exchange, path.substring(QUEUE.length(), path.length() - "/status".length()));
            } else if (method.equals("PUT") && path.startsWith(QUEUE) && path.endsWith("/cancel")) {
                String id = path.substring(QUEUE.length(), path.length() - "/cancel".length());
                Long at = submittedAt.get(id);
                if (at == null) {
                    json(exchange, 404, "{\"detail\":\"Request not found\"}");
                } else if (System.nanoTime() - at < jobNanos / 5) { // still IN_QUEUE
                    cancelsByPrompt.computeIfAbsent(promptsByRequest.get(id), p -> new AtomicInteger()).incrementAndGet();
                    json(exchange, 202, "{\"status\":\"CANCELLATION_REQUESTED\"}");
                } else {
                    json(exchange, 400, "{\"status\":\"ALREADY_COMPLETED\"}");
                }
            } else if (method.equals("GET") && path.startsWith(QUEUE)) {
                result(exchange, path.substring(QUEUE.length()));
            } else {
                json(exchange, 404, "{\"error\":\"Not Found\"}");
            }
        }
    }

    private void submit(HttpExchange exchange, String body) throws IOException {
        Matcher prompt = PROMPT.matcher(body);
        if (!body.contains("\"image_url\":\"data:image/") || !prompt.find()) {
            json(exchange, 422, "{\"detail\":[{\"loc\":[\"body\",\"image_url\"],\"msg\":\"field required\","
                    + "\"type\":\"value_error.missing\"}]}");
            return;
        }
        submits.incrementAndGet();
        submitsByPrompt.computeIfAbsent(prompt.group(1), p -> new AtomicInteger()).incrementAndGet();
        String id = "req-" + ids.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        promptsByRequest.put(id, prompt.group(1));
        Timing timing = new Timing();
        timings.put(id, timing);
        submittedAt.put(id, timing.submitNanos);
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        long generating = timings.values().stream().filter(t -> timing.submitNanos - t.submitNanos < jobNanos).count();
        maxGenerating.accumulateAndGet((int) generating, Math::max);
        String url = "https://queue.fal.run/fal-ai/ovi/requests/" + id;
        json(exchange, 200, ("{\"status\":\"IN_QUEUE\",\"request_id\":\"%s\",\"response_url\":\"%s\","
                + "\"status_url\":\"%s/status\",\"cancel_url\":\"%s/cancel\",\"queue_position\":0}")
                .formatted(id, url, url, url));
    }

    private void status(HttpExchange exchange, String id) throws IOException {
        Long at = submittedAt.get(id);
        if (at == null) {
            json(exchange, 404, "{\"detail\":\"Request not found\"}");
            return;
        }
        long elapsed = System.nanoTime() - at;
        statusPolls.incrementAndGet();
        Timing timing = timings.get(id);
        timing.polls.incrementAndGet();
        if (elapsed >= jobNanos && timing.completedPollMs == 0) {
            timing.completedPollMs = System.currentTimeMillis();
        }
        if (elapsed >= jobNanos) {
            json(exchange, 200, "{\"status\":\"COMPLETED\",\"metrics\":{\"inference_time\":%.1f}}"
                    .formatted(jobNanos / 1e9));
        } else if (elapsed < jobNanos / 5) {
            json(exchange, 202, "{\"status\":\"IN_QUEUE\",\"queue_position\":0}");
        } else {
            json(exchange, 202, "{\"status\":\"IN_PROGRESS\",\"logs\":[{\"message\":\"step\",\"level\":\"INFO\"}]}");
        }
    }

    private void result(HttpExchange exchange, String id) throws IOException {
        Long at = submittedAt.get(id);
        if (at == null || System.nanoTime() - at < jobNanos) {
            json(exchange, at == null ? 404 : 400, "{\"detail\":\"Request is still in progress\"}");
            return;
        }
        Timing timing = timings.get(id);
        if (timing.resultMs == 0) {
            timing.resultMs = System.currentTimeMillis();
        }
        json(exchange, 200, ("{\"video\":{\"url\":\"%s/files/%s.mp4\",\"content_type\":\"video/mp4\","
                + "\"file_name\":\"output.mp4\",\"file_size\":%d},\"seed\":42}").formatted(url(), id, video.length));
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: FakeOvi PORT JOB_SECONDS VIDEO.mp4 [TOKEN]");
            System.exit(2);
        }
        byte[] video;
        try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
            video = in.readAllBytes();
        }
        FakeOvi fake = new FakeOvi(Integer.parseInt(args[0]), Duration.ofMillis((long) (Double.parseDouble(args[1]) * 1000)),
                video, args.length > 3 ? args[3] : null);
        System.out.println("FakeOvi listening on " + fake.url());
    }
}
