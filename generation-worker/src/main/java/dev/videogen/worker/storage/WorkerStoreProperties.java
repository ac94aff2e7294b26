package dev.videogen.worker.storage;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** The object store: input images in the uploads bucket, videos, posters and job checkpoints in the videos bucket. */
@Validated
@ConfigurationProperties("videogen.s3")
public record WorkerStoreProperties(
        @NotBlank String endpoint,
        @NotBlank(message = "set S3_ACCESS_KEY") String accessKey,
        @NotBlank(message = "set S3_SECRET_KEY") String secretKey,
        @NotBlank String region,
        @NotBlank String uploadsBucket,
        @NotBlank String videosBucket) {
}
