package dev.videogen.media.storage;

import java.util.List;
import java.util.regex.Pattern;

/** Where a job's media lives in the videos bucket; the worker writes these keys. */
public final class MediaKeys {

    /** The gateway's job-id syntax; anything else cannot name a job, so it never reaches Redis or the store. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

    private MediaKeys() {
    }

    public static boolean isJobId(String jobId) {
        return jobId != null && JOB_ID.matcher(jobId).matches();
    }

    public static String video(String jobId) {
        return jobId + ".mp4";
    }

    public static String poster(String jobId) {
        return jobId + ".jpg";
    }

    public static String checkpoint(String jobId) {
        return "checkpoints/" + jobId + ".json";
    }

    /** Everything the system keeps for a job in the videos bucket. */
    public static List<String> all(String jobId) {
        return List.of(video(jobId), poster(jobId), checkpoint(jobId));
    }
}
