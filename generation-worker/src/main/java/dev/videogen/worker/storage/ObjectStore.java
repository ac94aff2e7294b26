package dev.videogen.worker.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.errors.ErrorResponseException;
import org.springframework.stereotype.Component;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Blocking object-store access for the worker (it runs on its own threads, never on an event loop). */
@Component
public class ObjectStore {

    private final MinioClient client;
    private final WorkerStoreProperties properties;
    private final Set<String> readyBuckets = ConcurrentHashMap.newKeySet();

    public ObjectStore(WorkerStoreProperties properties) {
        this.properties = properties;
        this.client = MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .region(properties.region())
                .build();
    }

    public String uploadsBucket() {
        return properties.uploadsBucket();
    }

    public String videosBucket() {
        return properties.videosBucket();
    }

    /** The object's bytes, at most {@code maxBytes} of them (more is an {@link ObjectTooLargeException}); empty when absent. */
    public Optional<byte[]> get(String bucket, String key, int maxBytes) {
        try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            byte[] bytes = readAtMost(response, maxBytes);
            return Optional.of(bytes);
        } catch (ErrorResponseException e) {
            String code = e.errorResponse().code();
            if ("NoSuchKey".equals(code) || "NoSuchBucket".equals(code)) {
                return Optional.empty();
            }
            throw new StorageException("reading " + bucket + "/" + key + " failed: " + code, e);
        } catch (ObjectTooLargeException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException("reading " + bucket + "/" + key + " failed: " + e.getMessage(), e);
        }
    }

    public void put(String bucket, String key, byte[] bytes, String contentType) {
        try {
            ensureBucket(bucket);
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1).contentType(contentType).build());
        } catch (Exception e) {
            throw new StorageException("writing " + bucket + "/" + key + " failed: " + e.getMessage(), e);
        }
    }

    /** Streams a file into the store, so a large video never has to sit in memory. */
    public void put(String bucket, String key, Path file, String contentType) {
        try (InputStream in = Files.newInputStream(file)) {
            ensureBucket(bucket);
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(in, Files.size(file), -1).contentType(contentType).build());
        } catch (Exception e) {
            throw new StorageException("writing " + bucket + "/" + key + " failed: " + e.getMessage(), e);
        }
    }

    /** Removes an object; an absent one is fine. */
    public void delete(String bucket, String key) {
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            throw new StorageException("deleting " + bucket + "/" + key + " failed: " + e.getMessage(), e);
        }
    }

    private void ensureBucket(String bucket) throws Exception {
        if (readyBuckets.contains(bucket)) {
            return;
        }
        if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            try {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                    throw e;
                }
            }
        }
        readyBuckets.add(bucket);
    }

    static byte[] readAtMost(InputStream in, int maxBytes) {
        try {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new ObjectTooLargeException(maxBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The store could not be reached or refused; worth retrying later. */
    public static class StorageException extends RuntimeException {
        public StorageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static class ObjectTooLargeException extends RuntimeException {
        ObjectTooLargeException(int maxBytes) {
            super("larger than " + maxBytes + " bytes");
        }
    }
}
