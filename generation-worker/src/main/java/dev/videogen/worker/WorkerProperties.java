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
 * @param jobDeadline        a job still running after this long fails with a timeout
 */
@Validated
@ConfigurationProperties("videogen.worker")
public record WorkerProperties(
        @NotBlank String generator,
        @Min(0) double demoSeconds,
        List<String> allowedImageHosts,
        @Min(1) int maxImageBytes,
        @Min(1) int maxImageSide,
        Duration jobDeadline) {

    public WorkerProperties {
        allowedImageHosts = allowedImageHosts == null ? List.of()
                : allowedImageHosts.stream().map(String::strip).filter(h -> !h.isEmpty()).toList();
        jobDeadline = jobDeadline == null ? Duration.ofMinutes(5) : jobDeadline;
    }
}
