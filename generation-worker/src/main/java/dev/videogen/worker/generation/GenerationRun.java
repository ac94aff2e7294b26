package dev.videogen.worker.generation;

import dev.videogen.worker.storage.JobCheckpoint;
import reactor.core.publisher.Mono;

import java.util.function.Supplier;

/** What a generator gets besides its input: the job's checkpoint, its events, and a place to leave an upstream abort. */
public interface GenerationRun {

    String jobId();

    /** The job's trace and its jobId for the logs: generators log about the job inside it. */
    default JobScope scope() {
        return JobScope.untraced(jobId());
    }

    /** The checkpoint as the run started: {@link JobCheckpoint#isSubmitted()} means resume, never submit again. */
    JobCheckpoint checkpoint();

    /** Records the provider's request durably (checkpoint first, then the Submitted event); completes when both are. */
    Mono<Void> submitted(String provider, String providerRequestId, String responsePath);

    /** Reports progress; never blocks, never goes backwards (a lower value is raised to the last one sent). */
    void progressed(int progress, String stage, Integer queuePosition, Integer etaSeconds);

    /**
     * How to stop the upstream work when the job is canceled or passes its deadline. The runner subscribes to it
     * (with a timeout) before it publishes the terminal event. The last registration wins.
     */
    void onAbort(Supplier<Mono<Void>> abort);

    /**
     * Runs a step to its end even if the job is dropped meanwhile (its partition moved to another worker): a submit
     * must land in the checkpoint, or the next owner would pay a second time.
     */
    <T> Mono<T> critical(Mono<T> step);
}
