package dev.videogen.worker.generation;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationAccepted;
import dev.videogen.events.GenerationCanceled;
import dev.videogen.events.GenerationCompleted;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationFailed;
import dev.videogen.events.GenerationProgressed;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.GenerationStarted;
import dev.videogen.events.GenerationSubmitted;
import dev.videogen.events.JobError;
import dev.videogen.events.Topics;
import dev.videogen.worker.storage.JobCheckpoint;
import dev.videogen.worker.storage.JobCheckpoints;
import dev.videogen.worker.storage.StoreRetries;
import org.springframework.kafka.core.KafkaTemplate;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The events of one job run, published in order: each is sent only after the one before it is acknowledged by Kafka,
 * on the worker's I/O threads, so no caller ever blocks. Sequences come from blocks reserved in the job's checkpoint
 * (hi/lo), saved before any sequence of the block is used, so a run that resumes after a crash continues above every
 * sequence the crashed run may have used. Once one step fails, every later one fails too; the runner sees it at the
 * terminal event and runs the job again from its checkpoint.
 */
public final class JobEvents {

    static final long BLOCK = 100;
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final KafkaTemplate<String, String> kafka;
    private final JobCheckpoints checkpoints;
    private final Executor io;
    private final Clock clock;
    private final String jobId;
    private final JobScope scope;
    private JobCheckpoint checkpoint;
    private long next;
    private int lastProgress = -1;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private CompletableFuture<Void> lastProgressSent = CompletableFuture.completedFuture(null);
    private volatile boolean abandoned;
    private boolean ended;

    JobEvents(KafkaTemplate<String, String> kafka, JobCheckpoints checkpoints, Executor io, Clock clock, String jobId,
              JobCheckpoint checkpoint) {
        this(kafka, checkpoints, io, clock, JobScope.untraced(jobId), checkpoint);
    }

    /**
     * @param scope the job's trace: each event is sent inside it, so its record's {@code traceparent} header names the
     *              job's trace even though the listener that took the request has long returned
     */
    JobEvents(KafkaTemplate<String, String> kafka, JobCheckpoints checkpoints, Executor io, Clock clock, JobScope scope,
              JobCheckpoint checkpoint) {
        this.kafka = kafka;
        this.checkpoints = checkpoints;
        this.io = io;
        this.clock = clock;
        this.jobId = scope.jobId();
        this.scope = scope;
        this.checkpoint = checkpoint;
        this.next = checkpoint.reservedSequence() + 1;
    }

    public String jobId() {
        return jobId;
    }

    /**
     * The run was dropped (its partition moved on): steps not yet started are skipped, so a stale run never writes
     * the checkpoint or an event after the job's new owner has taken over.
     */
    void abandon() {
        abandoned = true;
    }

    public synchronized JobCheckpoint checkpoint() {
        return checkpoint;
    }

    synchronized CompletableFuture<Void> accepted(GenerationRequested request) {
        return append(Step.EVENT, seq -> new GenerationAccepted(id(), jobId, seq, clock.instant(), request.ownerId(),
                request.prompt(), request.imageUrl(), request.requestedAt()));
    }

    synchronized CompletableFuture<Void> started(String generator) {
        return append(Step.EVENT, seq -> new GenerationStarted(id(), jobId, seq, clock.instant(), generator));
    }

    /**
     * Records the provider's request durably (checkpoint first, then the event) before anything else happens. This
     * step runs even after an earlier step failed or the run was abandoned: a request id that is not in the
     * checkpoint would be paid for a second time by whoever runs the job next.
     */
    synchronized CompletableFuture<Void> submitted(String provider, String providerRequestId, String responsePath) {
        checkpoint = checkpoint.submitted(provider, providerRequestId, responsePath);
        return append(Step.SUBMITTED, seq -> new GenerationSubmitted(id(), jobId, seq, clock.instant(), provider,
                providerRequestId));
    }

    /**
     * Progress never goes backwards within a run; a lower value is raised to the last one sent. While Kafka has not yet
     * taken the previous progress event this one is dropped: progress is a snapshot, the next tick sends a newer one.
     * A progress event Kafka refuses does not fail the job (the next one carries the same news).
     */
    public synchronized void progressed(int progress, String stage, Integer queuePosition, Integer etaSeconds) {
        if (ended || !lastProgressSent.isDone()) {
            return; // a progress tick racing with the end of the job never follows its terminal event
        }
        lastProgress = Math.max(lastProgress, Math.max(0, Math.min(100, progress)));
        int value = lastProgress;
        lastProgressSent = append(Step.PROGRESS, seq -> new GenerationProgressed(id(), jobId, seq, clock.instant(),
                value, stage, queuePosition, etaSeconds));
    }

    synchronized CompletableFuture<Void> completed(String videoKey, String posterKey, long bytes, long durationMs) {
        return append(Step.TERMINAL, seq -> new GenerationCompleted(id(), jobId, seq, clock.instant(), videoKey,
                posterKey, bytes, durationMs));
    }

    synchronized CompletableFuture<Void> failed(JobError error) {
        return append(Step.TERMINAL, seq -> new GenerationFailed(id(), jobId, seq, clock.instant(), error));
    }

    synchronized CompletableFuture<Void> canceled(String reason) {
        return append(Step.TERMINAL, seq -> new GenerationCanceled(id(), jobId, seq, clock.instant(), reason));
    }

    private enum Step { EVENT, PROGRESS, SUBMITTED, TERMINAL }

    /**
     * Chains one event behind the previous one. The checkpoint is saved first when the event needs a new block of
     * sequences or records a submit, and marked finished after a terminal event.
     */
    private CompletableFuture<Void> append(Step kind, LongFunction<GenerationEvent> event) {
        long sequence = next++;
        boolean save = kind == Step.SUBMITTED;
        if (sequence > checkpoint.reservedSequence()) {
            checkpoint = checkpoint.reserveUpTo(checkpoint.reservedSequence() + BLOCK);
            save = true;
        }
        JobCheckpoint before = save ? checkpoint : null;
        GenerationEvent built = event.apply(sequence);
        CompletableFuture<Void> previous = tail;
        CompletableFuture<Void> after = kind == Step.SUBMITTED ? previous.handle((ignored, error) -> null) : previous;
        CompletableFuture<Void> step = after.thenComposeAsync(ignored -> scope.call(() -> {
            if (abandoned && kind != Step.SUBMITTED) {
                return CompletableFuture.<Void>failedFuture(new CancellationException("run abandoned"));
            }
            if (before != null) {
                StoreRetries.run(() -> checkpoints.save(jobId, before));
            }
            return send(built);
        }), io);
        if (kind == Step.TERMINAL) {
            ended = true;
            checkpoint = checkpoint.finish();
            JobCheckpoint finished = checkpoint;
            step = step.thenRunAsync(() -> scope.run(() -> {
                if (!abandoned) {
                    StoreRetries.run(() -> checkpoints.save(jobId, finished));
                }
            }), io);
        }
        if (kind == Step.PROGRESS) {
            // a refused progress event alone does not fail the job; a failure before it still does
            tail = step.exceptionallyCompose(e -> previous.isCompletedExceptionally() ? previous
                    : CompletableFuture.completedFuture(null));
        } else if (kind == Step.SUBMITTED) {
            tail = step.thenCompose(ignored -> previous.isCompletedExceptionally() ? previous
                    : CompletableFuture.completedFuture(null));
        } else {
            tail = step;
        }
        return step;
    }

    private CompletableFuture<Void> send(GenerationEvent event) {
        CompletableFuture<Void> sent;
        try {
            sent = kafka.send(Topics.EVENTS, jobId, EventJson.write(event)).thenApply(result -> (Void) null);
        } catch (RuntimeException e) {
            throw new EventPublishException(jobId, e);
        }
        return sent.orTimeout(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(new EventPublishException(jobId, unwrap(e))));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** Kafka did not take an event; the job runs again from its checkpoint. */
    static final class EventPublishException extends RuntimeException {
        EventPublishException(String jobId, Throwable cause) {
            super("could not publish an event of job " + jobId, cause);
        }
    }
}
