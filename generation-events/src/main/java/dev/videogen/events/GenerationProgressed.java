package dev.videogen.events;

import java.time.Instant;

/** Progress 0..100 (never decreasing within a job), a stage a person can read, queue position and ETA when known. */
public record GenerationProgressed(String eventId, String jobId, long sequence, Instant occurredAt,
                                   int progress, String stage, Integer queuePosition, Integer etaSeconds)
        implements GenerationEvent {
}
