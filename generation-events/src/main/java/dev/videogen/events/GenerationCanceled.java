package dev.videogen.events;

import java.time.Instant;

/** The job was canceled before it finished. */
public record GenerationCanceled(String eventId, String jobId, long sequence, Instant occurredAt, String reason)
        implements GenerationEvent {

    @Override
    public boolean terminal() {
        return true;
    }
}
