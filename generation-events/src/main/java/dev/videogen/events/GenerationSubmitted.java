package dev.videogen.events;

import java.time.Instant;

/** The provider took the job; its request id lets any worker resume polling instead of paying twice. */
public record GenerationSubmitted(String eventId, String jobId, long sequence, Instant occurredAt,
                                  String provider, String providerRequestId)
        implements GenerationEvent {
}
