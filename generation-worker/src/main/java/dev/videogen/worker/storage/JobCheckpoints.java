package dev.videogen.worker.storage;

import dev.videogen.events.EventJson;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;

/**
 * Checkpoints live beside the videos, as {@code checkpoints/{jobId}.json}: durable, and shared by every worker.
 * A cancel request for a job is a separate marker, {@code checkpoints/{jobId}.canceled}: every worker that sees the
 * cancel writes the same marker, so it never races with the checkpoint writes of the worker running the job.
 */
@Component
public class JobCheckpoints {

    private static final int MAX_BYTES = 64 * 1024;
    private static final byte[] MARKER = "{}".getBytes(StandardCharsets.UTF_8);

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

    /** Records that the job must not run (or run on); idempotent. */
    public void markCanceled(String jobId) {
        store.put(store.videosBucket(), cancelKey(jobId), MARKER, "application/json");
    }

    public boolean isCanceled(String jobId) {
        return store.get(store.videosBucket(), cancelKey(jobId), MAX_BYTES).isPresent();
    }

    private static String key(String jobId) {
        return "checkpoints/" + jobId + ".json";
    }

    private static String cancelKey(String jobId) {
        return "checkpoints/" + jobId + ".canceled";
    }
}
