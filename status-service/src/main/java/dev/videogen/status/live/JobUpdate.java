package dev.videogen.status.live;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;
import dev.videogen.status.fold.StoredJob;

import java.nio.charset.StandardCharsets;

/**
 * One state of a job, serialized once into the two SSE frames a stream may send for it; every stream of the job
 * shares the same bytes, so a change costs one serialization whatever the number of streams.
 *
 * @param withId    {@code id:<sequence>} and the job: a new state
 * @param withoutId the job alone: the same state with a new queue position (the client's last id stays valid)
 */
record JobUpdate(StoredJob stored, byte[] withId, byte[] withoutId) {

    static JobUpdate of(StoredJob stored) {
        // compact JSON has no line breaks, so the whole job fits one data: line
        String data = "data:" + EventJson.write(stored.job()) + "\n\n";
        return new JobUpdate(stored, ("id:" + stored.sequence() + "\n" + data).getBytes(StandardCharsets.UTF_8),
                data.getBytes(StandardCharsets.UTF_8));
    }

    long sequence() {
        return stored.sequence();
    }

    boolean queued() {
        return VideoJob.QUEUED.equals(stored.job().status());
    }

    boolean terminal() {
        return stored.job().terminal();
    }

    Integer queuePosition() {
        return stored.job().queuePosition();
    }
}
