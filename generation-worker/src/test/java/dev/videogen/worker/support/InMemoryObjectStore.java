package dev.videogen.worker.support;

import dev.videogen.worker.storage.ObjectStore;
import dev.videogen.worker.storage.WorkerStoreProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** An object store in memory, for unit tests of the job flow (the ITs use a real S3 API server). */
public class InMemoryObjectStore extends ObjectStore {

    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final Map<String, String> types = new ConcurrentHashMap<>();

    public InMemoryObjectStore() {
        super(new WorkerStoreProperties("http://127.0.0.1:1", "test", "test-secret", "us-east-1", "uploads", "videos"));
    }

    @Override
    public Optional<byte[]> get(String bucket, String key, int maxBytes) {
        return Optional.ofNullable(objects.get(bucket + "/" + key));
    }

    @Override
    public void put(String bucket, String key, byte[] bytes, String contentType) {
        objects.put(bucket + "/" + key, bytes.clone());
        types.put(bucket + "/" + key, contentType);
    }

    @Override
    public void put(String bucket, String key, Path file, String contentType) {
        try {
            put(bucket, key, Files.readAllBytes(file), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String bucket, String key) {
        objects.remove(bucket + "/" + key);
        types.remove(bucket + "/" + key);
    }

    public Optional<byte[]> object(String bucket, String key) {
        return Optional.ofNullable(objects.get(bucket + "/" + key));
    }

    public String contentType(String bucket, String key) {
        return types.get(bucket + "/" + key);
    }
}
