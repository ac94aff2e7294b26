package dev.videogen.events;

import java.time.Instant;

/** The job as the HTTP API shows it ({@code GET /api/video-jobs/{jobId}}). */
public record VideoJob(
        String jobId,
        String status,
        int progress,
        String stage,
        Integer queuePosition,
        Integer etaSeconds,
        String prompt,
        String imageUrl,
        String videoUrl,
        String posterUrl,
        JobError error,
        Instant createdAt,
        Instant updatedAt) {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELED = "canceled";

    /** A job that was just requested and waits in the queue. */
    public static VideoJob queued(String jobId, String prompt, Instant createdAt) {
        return new VideoJob(jobId, QUEUED, 0, "queued", null, null, prompt, imageUrlOf(jobId), null, null, null,
                createdAt, createdAt);
    }

    public static String imageUrlOf(String jobId) {
        return "/api/video-jobs/" + jobId + "/image";
    }

    public static String videoUrlOf(String jobId) {
        return "/api/video-blob/" + jobId;
    }

    public static String posterUrlOf(String jobId) {
        return "/api/video-blob/" + jobId + "/poster";
    }

    public boolean terminal() {
        return SUCCEEDED.equals(status) || FAILED.equals(status) || CANCELED.equals(status);
    }
}
