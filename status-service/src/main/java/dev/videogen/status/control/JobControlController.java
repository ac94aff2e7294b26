package dev.videogen.status.control;

import dev.videogen.events.CancelRequested;
import dev.videogen.events.VideoJob;
import dev.videogen.status.fold.JobDeleted;
import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.time.Clock;

/**
 * Cancel and delete, both owner-checked (another owner's job is a 404). Cancel is a command for the worker: the job
 * shows {@code canceled} once the worker says so. Delete is recorded on Kafka first, so it survives a rebuild of
 * the read model, and cancels the job if it is still going (no video should appear for a deleted job).
 */
@RestController
class JobControlController {

    private static final String OWNER = "X-Videogen-Owner";

    private final JobStore store;
    private final CommandPublisher commands;
    private final Clock clock = Clock.systemUTC();

    JobControlController(JobStore store, CommandPublisher commands) {
        this.store = store;
        this.commands = commands;
    }

    /** Idempotent: a finished job is answered as it is; canceling twice sends the command twice, which is harmless. */
    @PostMapping("/api/video-jobs/{jobId}/cancel")
    Mono<ResponseEntity<VideoJob>> cancel(@PathVariable String jobId,
                                          @RequestHeader(name = OWNER, required = false) String owner) {
        return store.findOwned(jobId, owner)
                .flatMap(stored -> cancelIfGoing(stored).thenReturn(stored))
                .map(stored -> ResponseEntity.accepted().body(stored.job()));
    }

    @DeleteMapping("/api/video-jobs/{jobId}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String jobId,
                                      @RequestHeader(name = OWNER, required = false) String owner) {
        return store.findOwned(jobId, owner)
                .flatMap(stored -> {
                    JobDeleted deletion = new JobDeleted(jobId, stored.ownerId(), clock.instant());
                    return commands.deleted(deletion).then(cancelIfGoing(stored)).then(store.delete(deletion));
                })
                .thenReturn(ResponseEntity.noContent().build());
    }

    private Mono<Void> cancelIfGoing(StoredJob stored) {
        return stored.job().terminal() ? Mono.empty()
                : commands.cancel(new CancelRequested(stored.job().jobId(), stored.ownerId(), clock.instant()));
    }
}
