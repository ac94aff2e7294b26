package dev.videogen.worker.ovi;

import dev.videogen.events.GenerationParams;
import dev.videogen.worker.generation.GenerationException;
import dev.videogen.worker.generation.JobScope;
import dev.videogen.worker.generation.GenerationInput;
import dev.videogen.worker.ovi.UpstreamException.Operation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Speaks fal's queue protocol for Ovi, either through the HuggingFace inference router ({@code HF_TOKEN}) or directly
 * with fal ({@code FAL_KEY}), as {@code shared/HF-PROTOCOL.md} describes it. Non-blocking: every call is a Mono on
 * Reactor Netty, with a timeout on each request and bounded retries with exponential backoff and jitter (or the
 * answer's Retry-After) on transient failures. The token goes into the Authorization header of API calls and
 * nowhere else: never into the video download, a log line, an exception message or a metric.
 */
public final class OviClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OviClient.class);
    private static final String FAL_AI = "fal-ai";
    private static final String QUEUE = "?_subdomain=queue";
    private static final int MAX_ANSWER_BYTES = 2 * 1024 * 1024;
    private static final int MAX_DETAIL = 500;

    /** Which door to fal's queue. */
    public enum Mode {
        HUGGINGFACE("huggingface", "HuggingFace", "HF_TOKEN"),
        FAL("fal", "fal", "FAL_KEY");

        final String provider;
        final String display;
        final String credential;

        Mode(String provider, String display, String credential) {
            this.provider = provider;
            this.display = display;
            this.credential = credential;
        }
    }

    /** A request the provider took: its id and the path of its response URL, from which status and cancel derive. */
    public record Submission(String requestId, String responsePath) {
    }

    /** One status answer: IN_QUEUE (with its position), IN_PROGRESS or COMPLETED (with fal's inference time). */
    public record QueueStatus(String status, Integer queuePosition, Double inferenceSeconds) {

        public static final String IN_QUEUE = "IN_QUEUE";
        public static final String IN_PROGRESS = "IN_PROGRESS";
        public static final String COMPLETED = "COMPLETED";

        boolean completed() {
            return COMPLETED.equals(status);
        }
    }

    /** Where the finished video is. */
    public record VideoResult(URI url, String contentType, Long fileSize) {
    }

    private record Answer(int status, HttpHeaders headers, byte[] body) {
    }

    private final Mode mode;
    private final Secret secret;
    private final OviProperties properties;
    private final MeterRegistry meters;
    private final JsonMapper json = JsonMapper.builder().build();
    private final ConnectionProvider connections;
    private final LoopResources loops;
    private final WebClient api;
    private final WebClient files;
    private final AtomicReference<Mono<String>> appId = new AtomicReference<>();

    public OviClient(Mode mode, Secret secret, OviProperties properties, MeterRegistry meters) {
        this.mode = mode;
        this.secret = secret;
        this.properties = properties;
        this.meters = meters;
        this.connections = ConnectionProvider.builder("ovi-" + mode.provider)
                .maxConnections(properties.maxConnections())
                .pendingAcquireMaxCount(properties.maxConnections() * 4)
                .pendingAcquireTimeout(properties.requestTimeout())
                .maxIdleTime(Duration.ofSeconds(20))
                .build();
        // event loops of its own: the provider's calls neither share nor depend on the web server's (a context that
        // closes takes the global ones with it)
        this.loops = LoopResources.create("ovi-http", Math.max(2, Runtime.getRuntime().availableProcessors()), true);
        HttpClient http = HttpClient.create(connections)
                .runOn(loops)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .responseTimeout(properties.requestTimeout())
                .followRedirect(false);
        this.api = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_ANSWER_BYTES))
                .build();
        // the video lives on fal's CDN: redirects are fine there, and the request carries no credentials
        this.files = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(http.followRedirect(true)))
                .build();
    }

    /** {@code huggingface} or {@code fal}: the name in events, metrics and the checkpoint. */
    public String provider() {
        return mode.provider;
    }

    public Mode mode() {
        return mode;
    }

    // ------------------------------------------------------------------ the protocol

    /** Submits one generation; the answer names the request to poll. Not idempotent upstream: each call is paid. */
    public Mono<Submission> submit(GenerationInput input) {
        return Mono.defer(() -> {
            byte[] body = submitBody(input);
            return application().flatMap(app -> exchange(Operation.SUBMIT, HttpMethod.POST,
                            URI.create(base() + "/" + app + query()), body)
                    .map(answer -> submission(answer, app))
                    .doOnError(UpstreamException.class, e -> {
                        if (e.status() == 404) {
                            appId.set(null); // the mapping may have moved: look it up again next time
                        }
                    }));
        });
    }

    public Mono<QueueStatus> status(Submission submission) {
        return exchange(Operation.STATUS, HttpMethod.GET,
                URI.create(base() + submission.responsePath() + "/status" + query()), null)
                .map(this::queueStatus);
    }

    public Mono<VideoResult> result(Submission submission) {
        return exchange(Operation.RESULT, HttpMethod.GET, URI.create(base() + submission.responsePath() + query()), null)
                .map(this::videoResult);
    }

    /** Asks the provider to stop the request (and not to bill it, if it has not started). */
    public Mono<Void> cancel(Submission submission) {
        return exchange(Operation.CANCEL, HttpMethod.PUT,
                URI.create(base() + submission.responsePath() + "/cancel" + query()), null)
                .doOnEach(JobScope.onNext(answer -> log.info("{} canceled request {} (HTTP {})", mode.display,
                        submission.requestId(), answer.status())))
                .then();
    }

    /** Downloads the video into the file, streaming, without credentials; completes with the number of bytes. */
    public Mono<Long> download(URI url, Path file) {
        long max = properties.maxVideoSize().toBytes();
        Mono<Long> once = Mono.defer(() -> files.get().uri(url).exchangeToMono(response -> {
            int status = response.statusCode().value();
            if (status != 200) {
                return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0])
                        .flatMap(body -> Mono.error(failure(Operation.DOWNLOAD,
                                new Answer(status, response.headers().asHttpHeaders(), body))));
            }
            long declared = response.headers().contentLength().orElse(-1);
            if (declared > max) {
                return response.releaseBody().then(Mono.error(tooLarge(max)));
            }
            AtomicLong count = new AtomicLong();
            Flux<DataBuffer> body = response.bodyToFlux(DataBuffer.class).map(buffer -> {
                if (count.addAndGet(buffer.readableByteCount()) > max) {
                    DataBufferUtils.release(buffer);
                    throw tooLarge(max);
                }
                return buffer;
            });
            return DataBufferUtils.write(body, file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE).then(Mono.fromSupplier(count::get));
        }));
        Mono<Long> retried = once.timeout(properties.downloadTimeout())
                .onErrorMap(e -> !(e instanceof UpstreamException), e -> transport(Operation.DOWNLOAD, e))
                .doOnEach(signal -> {
                    if (signal.isOnNext() || signal.isOnError()) {
                        count(Operation.DOWNLOAD, signal.isOnNext() ? "2xx" : outcome(signal.getThrowable()));
                    }
                })
                .retryWhen(retries(Operation.DOWNLOAD));
        // the whole download as the job waits for it, retries included
        return Mono.defer(() -> {
            Timer.Sample sample = Timer.start(meters);
            return retried.doOnEach(signal -> {
                if (signal.isOnNext() || signal.isOnError()) {
                    sample.stop(downloadTime(signal.isOnNext() ? "success" : "failure"));
                }
            });
        });
    }

    private Timer downloadTime(String outcome) {
        return Timer.builder("videogen.worker.download.time")
                .description("Time to download a generated video from the provider, retries included")
                .tags("provider", mode.provider, "outcome", outcome)
                .publishPercentileHistogram()
                .register(meters);
    }

    /** The user-facing failure for an upstream one. */
    public GenerationException explain(Throwable error) {
        if (error instanceof GenerationException known) {
            return known;
        }
        if (!(error instanceof UpstreamException e)) {
            return new GenerationException("provider-error", "Provider error",
                    mode.display + " could not be reached: " + error.getClass().getSimpleName(), error);
        }
        String detail = e.upstreamDetail() == null || e.upstreamDetail().isBlank() ? "" : ": " + e.upstreamDetail();
        if (e.transientFailure()) {
            String what = e.status() > 0 ? "answered HTTP " + e.status() : "did not answer";
            return new GenerationException("provider-unavailable", "Provider unavailable",
                    mode.display + " " + what + " while " + e.operation().doing + ", " + properties.maxAttempts()
                            + " times; please try again later.", e);
        }
        switch (e.status()) {
            case 401, 403:
                return new GenerationException("provider-unauthorized", "Provider credentials rejected",
                        mode.display + " rejected the credentials in " + mode.credential + " (HTTP " + e.status() + ")"
                                + detail + ". Check that the token is valid and may call Inference Providers.", e);
            case 402:
                return new GenerationException("provider-billing", "Billing not enabled",
                        mode.display + " answered 402 Payment Required" + detail + ". Pay-as-you-go billing is not "
                                + "enabled for this account, or its credits are used up.", e);
            case 400, 422:
                return new GenerationException("input-rejected", "Input rejected",
                        "The provider rejected the input" + detail + ".", e);
            case 404:
                return notFound(e, detail);
            default:
                if (e.falErrorType() != null) {
                    return new GenerationException("provider-failed", "Generation failed",
                            "fal reports " + e.falErrorType() + detail + ".", e);
                }
                return new GenerationException("provider-error", "Provider error",
                        mode.display + " answered HTTP " + e.status() + " while " + e.operation().doing + detail + ".", e);
        }
    }

    private GenerationException notFound(UpstreamException e, String detail) {
        switch (e.operation()) {
            case MAPPING, SUBMIT:
                return new GenerationException("model-unavailable", "Model not available",
                        properties.model() + " is not available through " + mode.display + " (HTTP 404)" + detail + ".", e);
            case DOWNLOAD:
                return new GenerationException("video-unplayable", "Video unavailable",
                        "The provider's video link answered HTTP 404; it may have expired.", e);
            default:
                return new GenerationException("result-missing", "Result not found",
                        "The provider has no result for this request (HTTP 404 while " + e.operation().doing
                                + "); it may have expired.", e);
        }
    }

    @Override
    public void close() {
        connections.dispose();
        loops.dispose();
    }

    // ------------------------------------------------------------------ the provider mapping (router mode)

    /** The fal application: from the HuggingFace mapping (cached, looked up again after a failure), or fixed. */
    private Mono<String> application() {
        if (mode == Mode.FAL) {
            return Mono.just(properties.falApp());
        }
        Mono<String> cached = appId.get();
        if (cached == null) {
            Mono<String> fresh = lookUpMapping().cache(value -> properties.mappingTtl(), error -> Duration.ZERO,
                    () -> Duration.ZERO);
            cached = appId.compareAndSet(null, fresh) ? fresh : appId.get();
            if (cached == null) {
                cached = fresh;
            }
        }
        return cached;
    }

    private Mono<String> lookUpMapping() {
        URI uri = URI.create(properties.hubUrl() + "/api/models/" + properties.model()
                + "?expand%5B%5D=inferenceProviderMapping");
        return exchange(Operation.MAPPING, HttpMethod.GET, uri, null).map(this::falProviderId);
    }

    /** The mapping is an object keyed by provider or an array of entries with a "provider" field; both are in use. */
    private String falProviderId(Answer answer) {
        JsonNode mapping = parse(Operation.MAPPING, answer).path("inferenceProviderMapping");
        JsonNode entry = null;
        if (mapping.isObject()) {
            entry = mapping.get(FAL_AI);
        } else if (mapping.isArray()) {
            for (JsonNode candidate : mapping) {
                if (FAL_AI.equals(text(candidate.get("provider")))) {
                    entry = candidate;
                    break;
                }
            }
        }
        if (entry == null || !entry.isObject()) {
            throw new GenerationException("model-unavailable", "Model not available",
                    properties.model() + " has no fal-ai provider on HuggingFace right now, so it cannot be run "
                            + "through the router; try FAL_KEY with fal directly, or the demo generator.");
        }
        String task = text(entry.get("task"));
        String providerId = text(entry.get("providerId"));
        if (task != null && !"image-to-video".equals(task)) {
            throw new GenerationException("model-unavailable", "Model not available",
                    properties.model() + " is mapped to fal-ai for " + task + ", not image-to-video.");
        }
        if (providerId == null || providerId.isBlank()) {
            throw new GenerationException("model-unavailable", "Model not available",
                    "The fal-ai mapping of " + properties.model() + " names no application.");
        }
        String status = text(entry.get("status"));
        log.info("{} is served by fal-ai as {} (status {})", properties.model(), providerId, status);
        return providerId.startsWith("/") ? providerId.substring(1) : providerId;
    }

    // ------------------------------------------------------------------ bodies and answers

    private byte[] submitBody(GenerationInput input) {
        GenerationParams params = input.params() == null ? GenerationParams.NONE : input.params();
        if (params.steps() != null && (params.steps() < 1 || params.steps() > 50)) {
            throw new GenerationException("input-rejected", "Input rejected",
                    "steps must be between 1 and 50, not " + params.steps() + ".");
        }
        ObjectNode body = json.createObjectNode();
        body.put("image_url", "data:" + input.contentType() + ";base64,"
                + Base64.getEncoder().encodeToString(input.image()));
        body.put("prompt", input.prompt());
        if (params.negativePrompt() != null && !params.negativePrompt().isBlank()) {
            body.put("negative_prompt", params.negativePrompt());
        }
        if (params.seed() != null) {
            body.put("seed", params.seed().intValue());
        }
        if (params.steps() != null) {
            body.put("num_inference_steps", params.steps().intValue());
        }
        return json.writeValueAsBytes(body);
    }

    private Submission submission(Answer answer, String app) {
        JsonNode root = parse(Operation.SUBMIT, answer);
        String requestId = text(root.get("request_id"));
        if (requestId == null || requestId.isBlank()) {
            throw unexpected(Operation.SUBMIT, answer, "no request_id in the answer");
        }
        String path = pathOf(text(root.get("response_url")));
        if (path == null) {
            // fal's response URL is /{owner}/{app}/requests/{id}, without the application's sub-path
            String[] parts = app.split("/");
            path = "/" + parts[0] + (parts.length > 1 ? "/" + parts[1] : "") + "/requests/" + requestId;
        }
        return new Submission(requestId, path);
    }

    private QueueStatus queueStatus(Answer answer) {
        JsonNode root = parse(Operation.STATUS, answer);
        String status = text(root.get("status"));
        if (!QueueStatus.IN_QUEUE.equals(status) && !QueueStatus.IN_PROGRESS.equals(status)
                && !QueueStatus.COMPLETED.equals(status)) {
            throw unexpected(Operation.STATUS, answer, "unknown status " + status);
        }
        JsonNode position = root.get("queue_position");
        JsonNode inference = root.path("metrics").get("inference_time");
        return new QueueStatus(status, position != null && position.isNumber() ? position.asInt() : null,
                inference != null && inference.isNumber() ? inference.asDouble() : null);
    }

    private VideoResult videoResult(Answer answer) {
        JsonNode root = parse(Operation.RESULT, answer);
        JsonNode video = root.path("video");
        String url = text(video.get("url"));
        if (url == null || url.isBlank()) {
            throw new GenerationException("video-unplayable", "No video",
                    "The provider's result has no video" + (root.has("detail") ? ": " + detailOf(answer.body()) : "")
                            + ".");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new GenerationException("video-unplayable", "No video", "The provider's video URL is not valid.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new GenerationException("video-unplayable", "No video",
                    "The provider's video URL is not an http(s) URL.");
        }
        JsonNode size = video.get("file_size");
        return new VideoResult(uri, text(video.get("content_type")), size != null && size.isNumber() ? size.asLong() : null);
    }

    private JsonNode parse(Operation operation, Answer answer) {
        try {
            JsonNode root = json.readTree(answer.body());
            if (root == null || !root.isObject()) {
                throw unexpected(operation, answer, "not a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw unexpected(operation, answer, "not JSON");
        }
    }

    private UpstreamException unexpected(Operation operation, Answer answer, String why) {
        return new UpstreamException(operation, answer.status(), false, null, "unexpected answer, " + why, null, null);
    }

    private static String pathOf(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            String path = URI.create(url).getRawPath();
            return path == null || path.isEmpty() ? null : path;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(JsonNode node) {
        return node != null && node.isString() ? node.asString() : null;
    }

    // ------------------------------------------------------------------ exchanges, failures, retries

    private String base() {
        return mode == Mode.HUGGINGFACE ? properties.routerUrl() + "/" + FAL_AI : properties.falQueueUrl();
    }

    private String query() {
        return mode == Mode.HUGGINGFACE ? QUEUE : "";
    }

    private String authorization() {
        return (mode == Mode.HUGGINGFACE ? "Bearer " : "Key ") + secret.reveal();
    }

    /** One API request with its timeout, its status checked, retried while the failure is transient. */
    private Mono<Answer> exchange(Operation operation, HttpMethod method, URI uri, byte[] body) {
        Mono<Answer> once = Mono.defer(() -> {
            WebClient.RequestBodySpec request = api.method(method).uri(uri)
                    .header(HttpHeaders.AUTHORIZATION, authorization())
                    .accept(MediaType.APPLICATION_JSON);
            if (body != null) {
                request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
            }
            return request.exchangeToMono(response -> response.bodyToMono(byte[].class)
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> new Answer(response.statusCode().value(), response.headers().asHttpHeaders(), bytes)));
        });
        return once.timeout(properties.requestTimeout())
                .onErrorMap(e -> !(e instanceof UpstreamException), e -> transport(operation, e))
                .flatMap(answer -> {
                    count(operation, answer.status() / 100 + "xx");
                    return answer.status() == 200 || answer.status() == 202 || answer.status() == 201
                            ? Mono.just(answer) : Mono.error(failure(operation, answer));
                })
                .doOnError(e -> {
                    if (e instanceof UpstreamException u && u.status() == 0) {
                        count(operation, "no-answer");
                    }
                })
                .retryWhen(retries(operation));
    }

    private UpstreamException failure(Operation operation, Answer answer) {
        int status = answer.status();
        String falType = answer.headers().getFirst("X-Fal-Error-Type");
        if (falType == null) {
            falType = errorTypeOf(answer.body());
        }
        // a result that carries fal's own error kind is the request's outcome: asking again gives the same answer
        boolean transientFailure = (status == 429 || status == 408 || status >= 500)
                && !(operation == Operation.RESULT && falType != null);
        return new UpstreamException(operation, status, transientFailure,
                retryAfter(answer.headers().getFirst(HttpHeaders.RETRY_AFTER)), secret.redact(detailOf(answer.body())),
                secret.redact(falType), null);
    }

    private UpstreamException transport(Operation operation, Throwable e) {
        // the cause's message may name the URL, never a header; it stays out of the user-facing text
        return new UpstreamException(operation, 0, true, null, null, null, e);
    }

    private UpstreamException tooLarge(long max) {
        return new UpstreamException(Operation.DOWNLOAD, 200, false, null,
                "the video is larger than " + max / (1024 * 1024) + " MB", null, null);
    }

    private Retry retries(Operation operation) {
        return Retry.from(signals -> signals.concatMap(signal -> Mono.deferContextual(context -> {
            Throwable failure = signal.failure();
            if (!(failure instanceof UpstreamException e) || !e.transientFailure()
                    || signal.totalRetriesInARow() + 1 >= properties.maxAttempts()) {
                return Mono.error(failure);
            }
            Duration delay = e.retryAfter() != null ? min(e.retryAfter(), properties.retryAfterMax())
                    : backoff(signal.totalRetriesInARow());
            // the job's scope is in the context of the job's pipeline: the retry is logged about that job
            JobScope.runIn(context, () -> log.info("{} {} {}; attempt {} of {} in {} ms", mode.display,
                    operation.doing, e.status() > 0 ? "answered HTTP " + e.status()
                            : "failed (" + e.getCause().getClass().getSimpleName() + ")",
                    signal.totalRetriesInARow() + 2, properties.maxAttempts(), delay.toMillis()));
            return Mono.delay(delay);
        })));
    }

    /** Exponential backoff with jitter: a random pause between half and all of first * 2^n, capped. */
    private Duration backoff(long retry) {
        long first = properties.backoffFirst().toMillis();
        long cap = properties.backoffMax().toMillis();
        long exp = retry >= 30 ? cap : Math.min(cap, first << retry);
        long jittered = exp / 2 + ThreadLocalRandom.current().nextLong(exp / 2 + 1);
        return Duration.ofMillis(jittered);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration left = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return left.isNegative() ? Duration.ZERO : left;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /** fal's {"detail": [{"loc": [...], "msg": "..."}]} or {"detail": "..."}, HuggingFace's {"error": "..."}, else text. */
    private String detailOf(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode root = json.readTree(body);
            if (root != null && root.isObject()) {
                JsonNode detail = root.get("detail");
                if (detail != null && detail.isArray()) {
                    List<String> messages = new ArrayList<>();
                    for (JsonNode item : detail) {
                        String msg = text(item.get("msg"));
                        if (msg == null) {
                            continue;
                        }
                        JsonNode loc = item.get("loc");
                        List<String> where = new ArrayList<>();
                        if (loc != null && loc.isArray()) {
                            for (JsonNode part : loc) {
                                where.add(part.asString());
                            }
                        }
                        messages.add(where.isEmpty() ? msg : msg + " (" + String.join(".", where) + ")");
                    }
                    return cap(String.join("; ", messages));
                }
                for (String field : new String[] {"detail", "error", "message"}) {
                    String text = text(root.get(field));
                    if (text != null) {
                        return cap(text);
                    }
                }
                return null;
            }
        } catch (JacksonException notJson) {
            // fall through to the raw text
        }
        String raw = new String(body, StandardCharsets.UTF_8).replaceAll("[\\p{Cntrl}]+", " ").strip();
        return raw.isEmpty() || raw.startsWith("<") ? null : cap(raw);
    }

    private String errorTypeOf(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode root = json.readTree(body);
            return root != null && root.isObject() ? text(root.get("error_type")) : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }

    private static String cap(String text) {
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
    }

    private void count(Operation operation, String outcome) {
        meters.counter("videogen.worker.upstream.requests", "provider", mode.provider, "operation", operation.tag(),
                "outcome", outcome).increment();
    }

    private static String outcome(Throwable e) {
        if (e instanceof UpstreamException u) {
            return u.status() > 0 ? u.status() / 100 + "xx" : "no-answer";
        }
        return "error";
    }
}
