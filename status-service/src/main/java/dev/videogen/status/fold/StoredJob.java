package dev.videogen.status.fold;

import dev.videogen.events.VideoJob;

/** A job as the read model holds it: the public view plus who owns it and the last applied event sequence. */
public record StoredJob(String ownerId, long sequence, VideoJob job) {

    public boolean ownedBy(String ownerId) {
        return this.ownerId != null && this.ownerId.equals(ownerId);
    }
}
