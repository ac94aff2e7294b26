package dev.videogen.events;

import java.time.Instant;

/** A command on {@link Topics#COMMANDS}: stop the job if it is queued or running. */
public record CancelRequested(String jobId, String ownerId, Instant requestedAt) {
}
