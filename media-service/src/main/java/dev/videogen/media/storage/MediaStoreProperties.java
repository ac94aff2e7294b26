package dev.videogen.media.storage;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** The videos bucket, where the worker puts {jobId}.mp4 and {jobId}.jpg. */
@Validated
@ConfigurationProperties("videogen.s3")
public record MediaStoreProperties(
        @NotBlank String endpoint,
        @NotBlank(message = "set S3_ACCESS_KEY") String accessKey,
        @NotBlank(message = "set S3_SECRET_KEY") String secretKey,
        @NotBlank String region,
        @NotBlank String videosBucket) {
}
