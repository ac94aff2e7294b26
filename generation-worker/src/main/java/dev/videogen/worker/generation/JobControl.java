package dev.videogen.worker.generation;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The handle the intake keeps on one job: a cancel signal that sticks (a job canceled before it starts never
 * starts), and the critical steps in flight that must finish even if the job is abandoned (a submit whose request id
 * is not yet in the checkpoint: dropping it would make the next owner pay a second time).
 */
public final class JobControl {

    private final Sinks.One<Boolean> cancel = Sinks.one();
    private final Set<CompletableFuture<?>> critical = ConcurrentHashMap.newKeySet();
    private final JobScope scope;
    private volatile boolean cancelRequested;

    /** A handle without a trace of its own; the runner gives the job an untraced scope. */
    public JobControl() {
        this(null);
    }

    /** A handle carrying the job's trace (started by the intake, where the request record's trace is current). */
    public JobControl(JobScope scope) {
        this.scope = scope;
    }

    /** The job's scope: the one given at construction, else an untraced one for this jobId. */
    public JobScope scope(String jobId) {
        return scope != null ? scope : JobScope.untraced(jobId);
    }

    public void cancel() {
        cancelRequested = true;
        cancel.tryEmitValue(Boolean.TRUE);
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** Emits once when a cancel is requested, also to late subscribers. */
    public Mono<Boolean> canceled() {
        return cancel.asMono();
    }

    /** Runs a step to its end even if the job's subscription is disposed meanwhile. */
    public <T> Mono<T> critical(Mono<T> step) {
        return Mono.deferContextual(context -> {
            // subscribed on its own, so it runs on if the job is disposed; it keeps the job's context (its scope)
            CompletableFuture<T> future = step.contextWrite(context).toFuture();
            critical.add(future);
            future.whenComplete((value, error) -> critical.remove(future));
            return Mono.fromFuture(future, true);
        });
    }

    /** Completes when the critical steps now in flight have finished (successfully or not). */
    public CompletableFuture<Void> criticalStepsDone() {
        CompletableFuture<?>[] running = critical.toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(running).handle((ignored, error) -> null);
    }
}
