package dev.videogen.gateway.storage;

import dev.videogen.web.Problems;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.errors.ErrorResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Optional;

/** The uploads bucket: input images stored under their jobId (the claim check that Kafka messages carry). */
@Component
public class UploadStore {

    private static final Logger log = LoggerFactory.getLogger(UploadStore.class);

    private final MinioClient client;
    private final String bucket;

    public UploadStore(ObjectStoreProperties properties) {
        this.client = MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .region(properties.region())
                .build();
        // a store that hangs must not hold an upload for OkHttp's default minutes: connect, write, read
        client.setTimeout(Duration.ofSeconds(3).toMillis(), Duration.ofSeconds(20).toMillis(),
                Duration.ofSeconds(20).toMillis());
        this.bucket = properties.uploadsBucket();
    }

    /** The claim-check URL that a request carries for an upload. */
    public String urlOf(String jobId) {
        return "s3://" + bucket + "/" + jobId;
    }

    public Mono<Void> put(String jobId, byte[] bytes, String contentType) {
        return Mono.<Void>fromCallable(() -> {
            ensureBucket();
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(jobId)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1)
                    .contentType(contentType).build());
            return null;
        }).subscribeOn(Schedulers.boundedElastic()).onErrorMap(e -> unavailable(e, "nothing was stored or submitted"));
    }

    /** Best effort: the upload of a job that could not be queued is removed again. */
    public Mono<Void> delete(String jobId) {
        return Mono.<Void>fromCallable(() -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(jobId).build());
            return null;
        }).subscribeOn(Schedulers.boundedElastic()).onErrorResume(e -> {
            log.warn("could not remove the upload of job {}: {}", jobId, e.toString());
            return Mono.empty();
        });
    }

    /** A store that did not answer is a 503 the caller may retry; {@code consequence} says what did not happen. */
    private static Throwable unavailable(Throwable e, String consequence) {
        if (e instanceof org.springframework.web.ErrorResponseException) {
            return e;
        }
        return Problems.unavailable("storage-unavailable", "Storage unavailable",
                "The object store is not reachable right now, so " + consequence + ". Please try again in a few seconds.", e);
    }

    /** The stored image with its content type, or empty when there is none. */
    public Mono<Optional<StoredImage>> get(String jobId) {
        return Mono.fromCallable(() -> {
            try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(jobId).build())) {
                String type = response.headers().get("Content-Type");
                return Optional.of(new StoredImage(response.readAllBytes(), type == null ? "application/octet-stream" : type));
            } catch (ErrorResponseException e) {
                if ("NoSuchKey".equals(e.errorResponse().code())) {
                    return Optional.<StoredImage>empty();
                }
                throw e;
            }
        }).subscribeOn(Schedulers.boundedElastic()).onErrorMap(e -> unavailable(e, "the image cannot be read"));
    }

    private volatile boolean bucketReady;

    private void ensureBucket() throws Exception {
        if (bucketReady) {
            return;
        }
        if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            try {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            } catch (ErrorResponseException e) {
                if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())
                        && !"BucketAlreadyExists".equals(e.errorResponse().code())) {
                    throw e;
                }
            }
        }
        bucketReady = true;
    }

    public record StoredImage(byte[] bytes, String contentType) {
    }
}
