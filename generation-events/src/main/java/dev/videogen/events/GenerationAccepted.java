package dev.videogen.events;

import java.time.Instant;

/** A worker took the request; the job waits for a generation slot. Carries the request so the events topic alone tells the whole story. */
public record GenerationAccepted(String eventId, String jobId, long sequence, Instant occurredAt,
                                 String ownerId, String prompt, String imageUrl, Instant requestedAt)
        implements GenerationEvent {
}
