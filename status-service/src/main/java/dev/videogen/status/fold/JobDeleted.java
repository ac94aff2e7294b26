package dev.videogen.status.fold;

import java.time.Instant;

/**
 * A job its owner deleted, on this service's own compacted topic {@link #TOPIC} keyed by jobId. The read model folds
 * it like an event, so a deletion survives Redis losing its data: a rebuild does not bring deleted jobs back.
 */
public record JobDeleted(String jobId, String ownerId, Instant deletedAt) {

    public static final String TOPIC = "videogen.status.deletions";
}
