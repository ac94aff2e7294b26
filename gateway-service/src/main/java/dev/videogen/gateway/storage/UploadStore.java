package dev.videogen.gateway.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.errors.ErrorResponseException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.ByteArrayInputStream;
import java.util.Optional;

/** The uploads bucket: input images stored under their jobId (the claim check that Kafka messages carry). */
@Component
public class UploadStore {

    private final MinioClient client;
    private final String bucket;

    public UploadStore(ObjectStoreProperties properties) {
        this.client = MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .region(properties.region())
                .build();
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
        }).subscribeOn(Schedulers.boundedElastic());
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
        }).subscribeOn(Schedulers.boundedElastic());
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
