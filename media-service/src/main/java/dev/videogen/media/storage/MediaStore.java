package dev.videogen.media.storage;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

/** Reads media objects by offset and length, so a seek costs the same in a short or a long video. */
@Component
public class MediaStore {

    private static final int CHUNK = 64 * 1024;

    private final MinioClient client;
    private final String bucket;

    public MediaStore(MediaStoreProperties properties) {
        this.client = MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .region(properties.region())
                .build();
        this.bucket = properties.videosBucket();
    }

    public record ObjectInfo(long length, String etag, Instant lastModified, String contentType) {
    }

    public Mono<Optional<ObjectInfo>> stat(String key) {
        return Mono.fromCallable(() -> {
            try {
                StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return Optional.of(new ObjectInfo(stat.size(), stat.etag(), stat.lastModified().toInstant(),
                        stat.contentType()));
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if ("NoSuchKey".equals(code) || "NoSuchBucket".equals(code) || "NoSuchObject".equals(code)) {
                    return Optional.<ObjectInfo>empty();
                }
                throw e;
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** Streams {@code length} bytes from {@code offset} in 64 KB buffers, read only as fast as the client takes them. */
    public Flux<DataBuffer> read(String key, long offset, long length, DataBufferFactory buffers) {
        return DataBufferUtils.readInputStream(() -> open(key, offset, length), buffers, CHUNK)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private InputStream open(String key, long offset, long length) throws Exception {
        return client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).offset(offset).length(length).build());
    }
}
