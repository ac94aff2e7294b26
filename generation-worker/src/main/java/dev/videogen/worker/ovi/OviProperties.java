package dev.videogen.worker.ovi;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How the worker reaches Ovi, under {@code videogen.ovi}. The base URLs come from {@code HF_HUB_URL},
 * {@code HF_ROUTER_URL} and {@code FAL_QUEUE_URL}; the tokens are not here, they never leave the environment and the
 * client.
 *
 * @param model              the HuggingFace model whose fal-ai mapping names the fal application
 * @param falApp             the fal application called in direct mode
 * @param requestTimeout     the longest any one API request may take
 * @param downloadTimeout    the longest the video download may take
 * @param pollInterval       pause between two status polls (the protocol asks for 0.5-1 s)
 * @param progressInterval   how often a running job reports progress (at least once a second)
 * @param maxAttempts        attempts per request when the answers are transient (429, 5xx, resets, timeouts)
 * @param backoffFirst       first pause between attempts, doubled each time, with jitter
 * @param retryAfterMax      the longest Retry-After honoured
 * @param mappingTtl         how long the provider mapping is cached
 * @param typicalGeneration  the generation time assumed for ETAs until real ones are measured
 * @param secondsPerQueuePosition  ETA heuristic: how long one position in fal's queue adds
 * @param maxConnections     HTTP connections per host, across all jobs of the worker
 */
@Validated
@ConfigurationProperties("videogen.ovi")
public record OviProperties(
        @NotBlank String hubUrl,
        @NotBlank String routerUrl,
        @NotBlank String falQueueUrl,
        @NotBlank String model,
        @NotBlank String falApp,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration downloadTimeout,
        Duration pollInterval,
        Duration progressInterval,
        @Min(1) int maxAttempts,
        Duration backoffFirst,
        Duration backoffMax,
        Duration retryAfterMax,
        Duration mappingTtl,
        DataSize maxVideoSize,
        Duration typicalGeneration,
        Duration secondsPerQueuePosition,
        @Min(1) int maxConnections) {

    public OviProperties {
        hubUrl = stripSlash(hubUrl == null ? "https://huggingface.co" : hubUrl);
        routerUrl = stripSlash(routerUrl == null ? "https://router.huggingface.co" : routerUrl);
        falQueueUrl = stripSlash(falQueueUrl == null ? "https://queue.fal.run" : falQueueUrl);
        model = model == null ? "chetwinlow1/Ovi" : model;
        falApp = falApp == null ? "fal-ai/ovi/image-to-video" : falApp;
        connectTimeout = orDefault(connectTimeout, Duration.ofSeconds(10));
        requestTimeout = orDefault(requestTimeout, Duration.ofSeconds(30));
        downloadTimeout = orDefault(downloadTimeout, Duration.ofMinutes(2));
        pollInterval = orDefault(pollInterval, Duration.ofMillis(500));
        progressInterval = orDefault(progressInterval, Duration.ofMillis(800));
        maxAttempts = maxAttempts == 0 ? 6 : maxAttempts;
        backoffFirst = orDefault(backoffFirst, Duration.ofMillis(500));
        backoffMax = orDefault(backoffMax, Duration.ofSeconds(15));
        retryAfterMax = orDefault(retryAfterMax, Duration.ofSeconds(60));
        mappingTtl = orDefault(mappingTtl, Duration.ofHours(1));
        maxVideoSize = maxVideoSize == null ? DataSize.ofMegabytes(200) : maxVideoSize;
        typicalGeneration = orDefault(typicalGeneration, Duration.ofSeconds(40));
        secondsPerQueuePosition = orDefault(secondsPerQueuePosition, Duration.ofSeconds(10));
        maxConnections = maxConnections == 0 ? 500 : maxConnections;
    }

    /** The defaults, with the given base URLs (tests and the benchmark point them at a local server). */
    public static OviProperties defaults(String hubUrl, String routerUrl, String falQueueUrl) {
        return new OviProperties(hubUrl, routerUrl, falQueueUrl, null, null, null, null, null, null, null, 0, null,
                null, null, null, null, null, null, 0);
    }

    private static Duration orDefault(Duration value, Duration fallback) {
        return value == null || value.isZero() || value.isNegative() ? fallback : value;
    }

    private static String stripSlash(String url) {
        String s = url.strip();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
