package dev.videogen.events;

import java.time.Instant;

/**
 * A request to generate one video, on {@link Topics#REQUESTED}. {@code imageUrl} is a claim check:
 * {@code s3://bucket/key}, a {@code data:} URI, or an {@code https://} URL from an allowed host.
 */
public record GenerationRequested(
        String jobId,
        String ownerId,
        String prompt,
        String imageUrl,
        GenerationParams params,
        Instant requestedAt) {

    public GenerationRequested {
        params = params == null ? GenerationParams.NONE : params;
    }
}
