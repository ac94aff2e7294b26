package dev.videogen.worker;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.List;

/**
 * The worker's settings under {@code videogen.worker}; the environment variables of the contract override them.
 *
 * @param generator          auto, huggingface, fal or demo
 * @param demoSeconds        how long the offline demo generator takes per video
 * @param allowedImageHosts  hosts an https:// image may be fetched from (empty: none)
 * @param maxImageBytes      the same limit as for an upload
 * @param jobDeadline        a job still running this long after it first started fails with a timeout
 * @param maxInFlight        jobs one worker runs at once; 0 picks 200 for a real provider (they mostly wait) and the
 *                           number of CPUs (at least 2) for the demo generator (it renders)
 * @param instanceId         this process's name in the cancel commands' consumer group (random unless set)
 * @param retryFirst         first pause before a job runs again after Kafka or the object store failed it
 * @param retryMax           longest such pause
 */
@Validated
@ConfigurationProperties("videogen.worker")
public record WorkerProperties(
        @NotBlank String generator,
        @Min(0) double demoSeconds,
        List<String> allowedImageHosts,
        @Min(1) int maxImageBytes,
        @Min(1) int maxImageSide,
        Duration jobDeadline,
        @Min(0) int maxInFlight,
        String instanceId,
        Duration retryFirst,
        Duration retryMax) {

    public static final int REAL_PROVIDER_IN_FLIGHT = 200;

    public WorkerProperties {
        allowedImageHosts = allowedImageHosts == null ? List.of()
                : allowedImageHosts.stream().map(String::strip).filter(h -> !h.isEmpty()).toList();
        jobDeadline = jobDeadline == null ? Duration.ofMinutes(5) : jobDeadline;
        retryFirst = retryFirst == null ? Duration.ofSeconds(1) : retryFirst;
        retryMax = retryMax == null ? Duration.ofSeconds(30) : retryMax;
    }

    /** The in-flight bound for the chosen generator. */
    public int maxInFlightFor(String generatorName) {
        if (maxInFlight > 0) {
            return maxInFlight;
        }
        return "demo".equals(generatorName) ? Math.max(2, Runtime.getRuntime().availableProcessors())
                : REAL_PROVIDER_IN_FLIGHT;
    }
}
