package dev.videogen.events;

import java.time.Instant;

/** The job ended without a video. */
public record GenerationFailed(String eventId, String jobId, long sequence, Instant occurredAt, JobError error)
        implements GenerationEvent {

    @Override
    public boolean terminal() {
        return true;
    }
}
