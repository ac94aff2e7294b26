package dev.videogen.gateway.submit;

import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Limits on what a submission may carry. */
@Validated
@ConfigurationProperties("videogen.submit")
public record SubmitProperties(@Positive int maxImageBytes, @Positive int maxImageSide, @Positive int maxPromptChars,
                               @Positive int rateLimitPerMinute) {

    public SubmitProperties {
        maxImageBytes = maxImageBytes == 0 ? 10 * 1024 * 1024 : maxImageBytes;
        maxImageSide = maxImageSide == 0 ? 4096 : maxImageSide;
        maxPromptChars = maxPromptChars == 0 ? 2000 : maxPromptChars;
        rateLimitPerMinute = rateLimitPerMinute == 0 ? 30 : rateLimitPerMinute;
    }
}
