package dev.videogen.worker.intake;

import dev.videogen.events.CancelRequested;
import dev.videogen.events.EventJson;
import dev.videogen.events.Topics;
import dev.videogen.events.UnreadableMessageException;
import dev.videogen.worker.generation.JobRunner;
import dev.videogen.worker.generation.JobScope;
import dev.videogen.worker.storage.JobCheckpoints;
import dev.videogen.worker.storage.ObjectStore;
import dev.videogen.worker.storage.StoreRetries;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Cancel commands. Every worker reads every command (a consumer group of its own, from the earliest retained
 * command), because any of them may hold the job. The cancel marker is written first and the local jobs are checked
 * after it, while a starting job registers itself first and reads the marker after that: whichever comes second sees
 * the other, so a cancel that races with the start of its job is never lost.
 */
@Component
class CommandListener {

    private static final Logger log = LoggerFactory.getLogger(CommandListener.class);

    private final InFlightJobs jobs;
    private final JobCheckpoints checkpoints;
    private final JobRunner runner;

    CommandListener(InFlightJobs jobs, JobCheckpoints checkpoints, JobRunner runner) {
        this.runner = runner;
        this.jobs = jobs;
        this.checkpoints = checkpoints;
    }

    @KafkaListener(id = "generation-worker-commands", topics = Topics.COMMANDS,
            containerFactory = "commandsContainerFactory",
            groupId = "#{@workerIdentity.commandsGroup()}")
    void onCommand(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            return; // a tombstone from compaction
        }
        String jobId;
        try {
            CancelRequested cancel = EventJson.read(record.value(), CancelRequested.class);
            jobId = cancel.jobId() != null && !cancel.jobId().isBlank() ? cancel.jobId() : record.key();
        } catch (UnreadableMessageException e) {
            log.warn("ignoring an unreadable command at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        if (jobId == null || jobId.isBlank()) {
            log.warn("ignoring a cancel command without a jobId at {}-{}@{}", record.topic(), record.partition(),
                    record.offset());
            return;
        }
        MDC.put(JobScope.MDC_KEY, jobId);
        try {
            ObjectStore.StorageException unrecorded = null;
            try {
                StoreRetries.run(() -> checkpoints.markCanceled(jobId));
            } catch (ObjectStore.StorageException e) {
                unrecorded = e;
            }
            if (jobs.cancel(jobId)) {
                log.info("job {}: cancel requested; stopping it here", jobId);
            } else if (unrecorded == null && jobs.ownsRequestOf(jobId) && runner.cancelQueued(jobId)) {
                // not started by anyone: without this the user would see it canceled only once the queue reached it
                log.info("job {}: canceled while still waiting in the queue", jobId);
            }
            if (unrecorded != null) {
                throw unrecorded; // the error handler delivers the command again, so the marker is written later
            }
        } finally {
            MDC.remove(JobScope.MDC_KEY);
        }
    }
}
