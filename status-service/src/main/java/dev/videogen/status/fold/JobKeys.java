package dev.videogen.status.fold;

/** Redis key layout of the read model; the only place that knows it. */
public final class JobKeys {

    /** Jobs waiting for a generation slot, scored by creation time: a queued job's position is its rank. */
    public static final String QUEUE = "videogen:queue";

    /** Pub/sub channel told whenever a job enters or leaves the queue: the positions of the queued jobs moved. */
    public static final String QUEUE_CHANGES = "videogen:queue:changes";

    /**
     * Hash with one field per Kafka partition ({@code topic-partition}) whose records this read model holds. A
     * partition missing here (Redis lost its data, or it is new) is folded again from its beginning.
     */
    public static final String FOLDED_PARTITIONS = "videogen:readmodel:partitions";

    private JobKeys() {
    }

    /**
     * Hash of one job: request fields (owner, prompt, createdAt, historyMember) and folded state (seq, status,
     * progress...). The media service reads {@code owner} and {@code deleted} here: keep those names.
     */
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

    /** The jobId of a {@link #historyMember}. */
    public static String jobIdOf(String historyMember) {
        return historyMember.substring(historyMember.indexOf(':') + 1);
    }

    /** Pub/sub channel of one job's updates. */
    public static String updates(String jobId) {
        return "videogen:updates:" + jobId;
    }
}
