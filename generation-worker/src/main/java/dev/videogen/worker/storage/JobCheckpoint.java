package dev.videogen.worker.storage;

import java.time.Instant;

/**
 * What a worker must remember across crashes about one job: the event sequences it has reserved (so a resumed job
 * never reuses a sequence), the provider's request once submitted (so it is never paid for twice, and a resumed run
 * polls it at the path the provider gave), when the job first started (its deadline counts from there), and whether
 * the job is finished (so a redelivered request is skipped).
 */
public record JobCheckpoint(long reservedSequence, String provider, String providerRequestId,
                            String providerResponsePath, Instant startedAt, boolean finished) {

    public static final JobCheckpoint NEW = new JobCheckpoint(0, null, null, null, null, false);

    public JobCheckpoint reserveUpTo(long sequence) {
        return new JobCheckpoint(sequence, provider, providerRequestId, providerResponsePath, startedAt, finished);
    }

    public JobCheckpoint submitted(String provider, String requestId, String responsePath) {
        return new JobCheckpoint(reservedSequence, provider, requestId, responsePath, startedAt, finished);
    }

    public JobCheckpoint started(Instant at) {
        return new JobCheckpoint(reservedSequence, provider, providerRequestId, providerResponsePath, at, finished);
    }

    public JobCheckpoint finish() {
        return new JobCheckpoint(reservedSequence, provider, providerRequestId, providerResponsePath, startedAt, true);
    }

    public boolean isSubmitted() {
        return providerRequestId != null && !providerRequestId.isBlank();
    }
}
