package dev.videogen.worker.storage;

import dev.videogen.events.EventJson;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;

/** Checkpoints live beside the videos, as {@code checkpoints/{jobId}.json}: durable, and shared by every worker. */
@Component
public class JobCheckpoints {

    private static final int MAX_BYTES = 64 * 1024;

    private final ObjectStore store;

    public JobCheckpoints(ObjectStore store) {
        this.store = store;
    }

    public JobCheckpoint load(String jobId) {
        return store.get(store.videosBucket(), key(jobId), MAX_BYTES)
                .map(bytes -> EventJson.read(new String(bytes, StandardCharsets.UTF_8), JobCheckpoint.class))
                .orElse(JobCheckpoint.NEW);
    }

    public void save(String jobId, JobCheckpoint checkpoint) {
        store.put(store.videosBucket(), key(jobId), EventJson.write(checkpoint).getBytes(StandardCharsets.UTF_8),
                "application/json");
    }

    private static String key(String jobId) {
        return "checkpoints/" + jobId + ".json";
    }
}
