package dev.videogen.status.fold;

/** Redis key layout of the read model; the only place that knows it. */
public final class JobKeys {

    /** Jobs waiting for a generation slot, scored by creation time: a queued job's position is its rank. */
    public static final String QUEUE = "videogen:queue";

    private JobKeys() {
    }

    /** Hash of one job: request fields (owner, prompt, createdAt) and folded state (seq, status, progress...). */
    public static String job(String jobId) {
        return "videogen:job:" + jobId;
    }

    /** Sorted set of an owner's jobs; members are {@link #historyMember} strings so paging by lex order is stable. */
    public static String history(String ownerId) {
        return "videogen:owner:" + ownerId + ":jobs";
    }

    /** Members sort by creation time, then jobId: zero-padded epoch millis, a colon, the jobId. */
    public static String historyMember(long createdAtMillis, String jobId) {
        return String.format("%015d:%s", createdAtMillis, jobId);
    }

    /** Pub/sub channel of one job's updates. */
    public static String updates(String jobId) {
        return "videogen:updates:" + jobId;
    }
}
