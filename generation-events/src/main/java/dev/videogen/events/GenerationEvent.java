package dev.videogen.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;

/**
 * A job's lifecycle event on {@link Topics#EVENTS}. {@code sequence} starts at 1 and increases within a job
 * (it may skip numbers); consumers apply an event only if its sequence is above the last one applied.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = GenerationAccepted.class, name = "Accepted"),
        @JsonSubTypes.Type(value = GenerationStarted.class, name = "Started"),
        @JsonSubTypes.Type(value = GenerationSubmitted.class, name = "Submitted"),
        @JsonSubTypes.Type(value = GenerationProgressed.class, name = "Progressed"),
        @JsonSubTypes.Type(value = GenerationCompleted.class, name = "Completed"),
        @JsonSubTypes.Type(value = GenerationFailed.class, name = "Failed"),
        @JsonSubTypes.Type(value = GenerationCanceled.class, name = "Canceled")
})
public sealed interface GenerationEvent
        permits GenerationAccepted, GenerationStarted, GenerationSubmitted, GenerationProgressed,
        GenerationCompleted, GenerationFailed, GenerationCanceled {

    String eventId();

    String jobId();

    long sequence();

    Instant occurredAt();

    /** Whether the job ends with this event. */
    default boolean terminal() {
        return false;
    }
}
