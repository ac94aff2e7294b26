package dev.videogen.events;

import java.time.Instant;

/** Generation began with the named generator ({@code demo}, {@code huggingface}, {@code fal}). */
public record GenerationStarted(String eventId, String jobId, long sequence, Instant occurredAt, String generator)
        implements GenerationEvent {
}
