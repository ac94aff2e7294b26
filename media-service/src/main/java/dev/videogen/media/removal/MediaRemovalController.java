package dev.videogen.media.removal;

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
 */
@RestController
class MediaRemovalController {

    private final MediaStore store;

    MediaRemovalController(MediaStore store) {
        this.store = store;
    }

    @DeleteMapping("/internal/media/{jobId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> remove(@PathVariable String jobId) {
        if (!MediaKeys.isJobId(jobId)) {
            // No job can have such an id, so it has no media: nothing to delete.
            return Mono.empty();
        }
        return store.delete(MediaKeys.all(jobId));
    }
}
