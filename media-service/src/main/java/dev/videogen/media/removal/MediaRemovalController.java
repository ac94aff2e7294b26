package dev.videogen.media.removal;

import dev.videogen.media.cache.MediaCache;
import dev.videogen.media.delivery.OwnershipCheck;
import dev.videogen.media.storage.MediaKeys;
import dev.videogen.media.storage.MediaStore;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code DELETE /internal/media/{jobId}}: removes everything the system stored for a job in the videos bucket (its
 * video {@code {jobId}.mp4}, poster {@code {jobId}.jpg} and worker checkpoint {@code checkpoints/{jobId}.json}) and
 * answers 204. Idempotent: media that is already gone also answers 204. The gateway calls it when the owner deletes
 * the job, after checking ownership itself, so this endpoint checks none; it is internal and not routed by the gateway.
 * The local cache's copies are evicted as well, and this process forgets that the job's owner owns it (see
 * {@link OwnershipCheck}), so its next request here is refused at once. Other replicas' copies are not evicted, but
 * their owner check refuses the deleted job once their remembered answer expires (the owner-cache TTL, 5 s by
 * default), since the status service marked the job deleted before the gateway calls this.
 */
@RestController
class MediaRemovalController {

    private final MediaStore store;
    private final MediaCache cache;
    private final OwnershipCheck ownership;

    MediaRemovalController(MediaStore store, MediaCache cache, OwnershipCheck ownership) {
        this.store = store;
        this.cache = cache;
        this.ownership = ownership;
    }

    @DeleteMapping("/internal/media/{jobId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> remove(@PathVariable String jobId) {
        if (!MediaKeys.isJobId(jobId)) {
            // No job can have such an id, so it has no media: nothing to delete.
            return Mono.empty();
        }
        // Evicted before and after the store's delete: a copy being filled from the old object is dropped too.
        return Mono.fromRunnable(() -> evict(jobId))
                .then(store.delete(MediaKeys.all(jobId)))
                .then(Mono.fromRunnable(() -> evict(jobId)));
    }

    private void evict(String jobId) {
        ownership.forget(jobId);
        MediaKeys.all(jobId).forEach(cache::evict);
    }
}
