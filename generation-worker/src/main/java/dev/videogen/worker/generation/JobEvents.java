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
import org.springframework.kafka.core.KafkaTemplate;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The events of one job run, published in order and each acknowledged by Kafka before the next. Sequences come
 * from blocks reserved in the job's checkpoint (hi/lo), so a run that resumes after a crash continues above every
 * sequence the crashed run may have used.
 */
public final class JobEvents {

    static final long BLOCK = 100;

    private final KafkaTemplate<String, String> kafka;
    private final JobCheckpoints checkpoints;
    private final Clock clock;
    private final String jobId;
    private JobCheckpoint checkpoint;
    private long next;
    private int lastProgress = -1;

    JobEvents(KafkaTemplate<String, String> kafka, JobCheckpoints checkpoints, Clock clock, String jobId,
              JobCheckpoint checkpoint) {
        this.kafka = kafka;
        this.checkpoints = checkpoints;
        this.clock = clock;
        this.jobId = jobId;
        this.checkpoint = checkpoint;
        this.next = checkpoint.reservedSequence() + 1;
    }

    public String jobId() {
        return jobId;
    }

    public JobCheckpoint checkpoint() {
        return checkpoint;
    }

    void accepted(GenerationRequested request) {
        publish(new GenerationAccepted(id(), jobId, sequence(), clock.instant(), request.ownerId(), request.prompt(),
                request.imageUrl(), request.requestedAt()));
    }

    void started(String generator) {
        publish(new GenerationStarted(id(), jobId, sequence(), clock.instant(), generator));
    }

    /** Records the provider's request id durably (checkpoint first, then the event) before anything else happens. */
    public void submitted(String provider, String providerRequestId) {
        checkpoint = checkpoint.submitted(provider, providerRequestId);
        checkpoints.save(jobId, checkpoint);
        publish(new GenerationSubmitted(id(), jobId, sequence(), clock.instant(), provider, providerRequestId));
    }

    /** Progress never goes backwards within a run; a lower value is raised to the last one sent. */
    public void progressed(int progress, String stage, Integer queuePosition, Integer etaSeconds) {
        lastProgress = Math.max(lastProgress, Math.max(0, Math.min(100, progress)));
        publish(new GenerationProgressed(id(), jobId, sequence(), clock.instant(), lastProgress, stage, queuePosition,
                etaSeconds));
    }

    void completed(String videoKey, String posterKey, long bytes, long durationMs) {
        publish(new GenerationCompleted(id(), jobId, sequence(), clock.instant(), videoKey, posterKey, bytes, durationMs));
        finish();
    }

    void failed(JobError error) {
        publish(new GenerationFailed(id(), jobId, sequence(), clock.instant(), error));
        finish();
    }

    void canceled(String reason) {
        publish(new GenerationCanceled(id(), jobId, sequence(), clock.instant(), reason));
        finish();
    }

    private void finish() {
        checkpoint = checkpoint.finish();
        checkpoints.save(jobId, checkpoint);
    }

    private long sequence() {
        if (next > checkpoint.reservedSequence()) {
            checkpoint = checkpoint.reserveUpTo(checkpoint.reservedSequence() + BLOCK);
            checkpoints.save(jobId, checkpoint);
        }
        return next++;
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private void publish(GenerationEvent event) {
        try {
            kafka.send(Topics.EVENTS, jobId, EventJson.write(event)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventPublishException(jobId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EventPublishException(jobId, e);
        }
    }

    /** Kafka did not take an event; the request is redelivered and the job resumes from its checkpoint. */
    static final class EventPublishException extends RuntimeException {
        EventPublishException(String jobId, Throwable cause) {
            super("could not publish an event of job " + jobId, cause);
        }
    }
}
