package dev.videogen.worker.storage;

/**
 * What a worker must remember across crashes about one job: the event sequences it has reserved (so a resumed job
 * never reuses a sequence), the provider's request id once submitted (so it is never paid for twice), and whether
 * the job is finished (so a redelivered request is skipped).
 */
public record JobCheckpoint(long reservedSequence, String provider, String providerRequestId, boolean finished) {

    public static final JobCheckpoint NEW = new JobCheckpoint(0, null, null, false);

    public JobCheckpoint reserveUpTo(long sequence) {
        return new JobCheckpoint(sequence, provider, providerRequestId, finished);
    }

    public JobCheckpoint submitted(String provider, String requestId) {
        return new JobCheckpoint(reservedSequence, provider, requestId, finished);
    }

    public JobCheckpoint finish() {
        return new JobCheckpoint(reservedSequence, provider, providerRequestId, true);
    }
}
