package dev.videogen.gateway.storage;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Where input images go: an S3 API (MinIO in compose, S3Proxy under ./run.sh). */
@Validated
@ConfigurationProperties("videogen.s3")
public record ObjectStoreProperties(
        @NotBlank String endpoint,
        @NotBlank(message = "set S3_ACCESS_KEY") String accessKey,
        @NotBlank(message = "set S3_SECRET_KEY") String secretKey,
        @NotBlank String region,
        @NotBlank String uploadsBucket) {
}
