package dev.videogen.events;

import java.time.Instant;

/** The video and its poster are stored; keys are object names in the videos bucket. */
public record GenerationCompleted(String eventId, String jobId, long sequence, Instant occurredAt,
                                  String videoKey, String posterKey, long bytes, long durationMs)
        implements GenerationEvent {

    @Override
    public boolean terminal() {
        return true;
    }
}
