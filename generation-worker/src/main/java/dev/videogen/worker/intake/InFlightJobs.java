package dev.videogen.worker.intake;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.Topics;
import dev.videogen.worker.generation.JobControl;
import dev.videogen.worker.generation.JobRunner;
import dev.videogen.worker.generation.JobScope;
import dev.videogen.worker.generation.Outcome;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.support.Acknowledgment;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * The jobs this worker holds, at most {@code maxInFlight} running at once. Requests arrive on the consumer thread and
 * start at once when a slot is free; otherwise they wait in a short local line (no longer than one poll's worth of
 * records) and the consumer is paused until slots free up: back-pressure reaches Kafka instead of piling up in memory.
 * A record's offset is committed only when its job's terminal event is in Kafka, in offset order
 * ({@link PartitionOffsets}). When partitions are revoked their jobs are dropped here without any event: the records
 * are not committed, so the new owner gets them again and resumes each job from its checkpoint.
 */
public class InFlightJobs implements ConsumerAwareRebalanceListener {

    private final java.util.Set<TopicPartition> assigned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, Integer> partitionCounts = new java.util.concurrent.ConcurrentHashMap<>();

    private static final Logger log = LoggerFactory.getLogger(InFlightJobs.class);
    private static final Duration CRITICAL_STEPS_WAIT = Duration.ofSeconds(15);

    private final BiFunction<GenerationRequested, JobControl, Mono<Outcome>> runner;
    private final IntakeSwitch intake;
    private final int maxInFlight;
    private final Duration retryFirst;
    private final Duration retryMax;
    private final ObservationRegistry observations;
    private final PartitionOffsets offsets = new PartitionOffsets();
    private final Object lock = new Object();
    private final Map<String, Job> byJobId = new HashMap<>();
    private final Deque<Job> waiting = new ArrayDeque<>();
    private int running;
    private boolean paused;

    /**
     * @param runner runs one job ({@link JobRunner#run}); its Mono ends when the terminal event is in Kafka, and fails
     *               only for infrastructure reasons ({@link JobRunner#isInfrastructure}), after which it runs again
     */
    public InFlightJobs(BiFunction<GenerationRequested, JobControl, Mono<Outcome>> runner, IntakeSwitch intake, int maxInFlight, Duration retryFirst, Duration retryMax,
                        MeterRegistry meters) {
        this(runner, intake, maxInFlight, retryFirst, retryMax, meters, ObservationRegistry.NOOP);
    }

    /**
     * @param observations each job's trace starts here as a child of the listener's observation, which continues the
     *                     trace of the request record; the job's events are published in it ({@link JobScope})
     */
    public InFlightJobs(BiFunction<GenerationRequested, JobControl, Mono<Outcome>> runner, IntakeSwitch intake,
                        int maxInFlight, Duration retryFirst, Duration retryMax, MeterRegistry meters,
                        ObservationRegistry observations) {
        this.runner = runner;
        this.observations = observations;
        this.intake = intake;
        this.maxInFlight = maxInFlight;
        this.retryFirst = retryFirst;
        this.retryMax = retryMax;
        Gauge.builder("videogen.worker.jobs.running", this, InFlightJobs::running).register(meters);
        Gauge.builder("videogen.worker.jobs.waiting", this, InFlightJobs::waiting).register(meters);
        Gauge.builder("videogen.worker.jobs.max", this, jobs -> jobs.maxInFlight).register(meters);
    }

    /**
     * Takes one record, on the consumer thread. An unreadable one throws {@link dev.videogen.events.UnreadableMessageException}
     * for the error handler, which dead-letters it and then calls {@link #deadLettered}.
     */
    public void accept(ConsumerRecord<String, String> record, Acknowledgment ack) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        offsets.register(partition, record.offset(), ack);
        GenerationRequested request = EventJson.readRequest(record.value());
        // on the consumer thread, inside the listener's observation: the job's trace continues the record's
        admit(new Job(partition, record.offset(), request, JobScope.start(request.jobId(), observations)));
    }

    /** The record is in the dead-letter topic; its offset may be committed with those before it. */
    public void deadLettered(ConsumerRecord<?, ?> record) {
        offsets.done(new TopicPartition(record.topic(), record.partition()), record.offset());
    }

    /** Cancels the job if this worker holds it (running or waiting); true if it did. */
    public boolean cancel(String jobId) {
        Job job;
        synchronized (lock) {
            job = byJobId.get(jobId);
        }
        if (job == null) {
            return false;
        }
        job.control.cancel();
        return true;
    }

    public int running() {
        synchronized (lock) {
            return running;
        }
    }

    public int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    private void admit(Job job) {
        String jobId = job.request.jobId();
        boolean start = false;
        synchronized (lock) {
            Job holding = byJobId.get(jobId);
            if (holding != null) {
                // the same request delivered twice: it ends with the job already here, never runs beside it
                holding.duplicates.add(job);
                job.scope.stop();
                return;
            }
            byJobId.put(jobId, job);
            if (running < maxInFlight) {
                running++;
                job.started = true;
                start = true;
            } else {
                waiting.addLast(job);
            }
            adjustIntake();
        }
        if (start) {
            start(job);
        }
    }

    private void start(Job job) {
        Disposable subscription = runner.apply(job.request, job.control)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, retryFirst).maxBackoff(retryMax)
                        .filter(JobRunner::isInfrastructure)
                        .doBeforeRetry(signal -> job.scope.run(() -> log.warn("job {}: Kafka or the object store is "
                                        + "unavailable ({}); running it again from its checkpoint (attempt {})",
                                job.request.jobId(), signal.failure().toString(), signal.totalRetries() + 2))))
                .subscribe(outcome -> finished(job, outcome), error -> {
                    job.scope.run(() -> log.error("job {} ended with an unexpected error", job.request.jobId(), error));
                    finished(job, Outcome.FAILED);
                });
        boolean dispose;
        synchronized (lock) {
            dispose = job.abandoned;
            job.subscription = subscription;
        }
        if (dispose) {
            subscription.dispose();
        }
    }

    private void finished(Job job, Outcome outcome) {
        List<Job> next;
        synchronized (lock) {
            if (job.abandoned) {
                return;
            }
            byJobId.remove(job.request.jobId());
            running--;
            offsets.done(job.partition, job.offset);
            for (Job duplicate : job.duplicates) {
                offsets.done(duplicate.partition, duplicate.offset);
            }
            next = takeWaiting();
            adjustIntake();
        }
        job.scope.stop();
        next.forEach(this::start);
    }

    /** Drops the jobs of revoked partitions without events; their records come back to whoever owns them now. */
    @Override
    public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        abandon(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
        abandon(partitions);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            partitionCounts.computeIfAbsent(partition.topic(), topic -> consumer.partitionsFor(topic).size());
        }
        assigned.addAll(partitions);
    }

    /**
     * Whether this worker consumes the partition that a request for this job, keyed by its jobId with Kafka's default
     * partitioner (as the gateway publishes it), lands in.
     */
    public boolean ownsRequestOf(String jobId) {
        Integer count = partitionCounts.get(Topics.REQUESTED);
        if (count == null || count == 0) {
            return false;
        }
        int partition = org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(jobId.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % count;
        return assigned.contains(new TopicPartition(Topics.REQUESTED, partition));
    }

    /** Drops every job, on shutdown: the records are not committed, another worker (or this one, restarted) resumes them. */
    public void abandonAll() {
        List<TopicPartition> all;
        synchronized (lock) {
            all = byJobId.values().stream().map(job -> job.partition).distinct().toList();
        }
        abandon(all);
    }

    void abandon(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        List<Job> victims = new ArrayList<>();
        List<Job> next;
        synchronized (lock) {
            for (Job job : byJobId.values()) {
                if (partitions.contains(job.partition)) {
                    victims.add(job);
                }
            }
            for (Job job : victims) {
                job.abandoned = true;
                byJobId.remove(job.request.jobId());
                if (job.started) {
                    running--;
                } else {
                    waiting.remove(job);
                }
            }
            offsets.forget(partitions);
            next = takeWaiting();
            adjustIntake();
        }
        if (!victims.isEmpty()) {
            log.info("partitions {} left this worker: handing over {} job(s)", partitions, victims.size());
        }
        List<CompletableFuture<Void>> critical = new ArrayList<>();
        for (Job job : victims) {
            Disposable subscription;
            synchronized (lock) {
                subscription = job.subscription;
            }
            if (subscription != null) {
                subscription.dispose();
            }
            critical.add(job.control.criticalStepsDone());
            job.scope.stop();
        }
        awaitCriticalSteps(critical);
        next.forEach(this::start);
    }

    /** A submit in flight finishes and lands in the checkpoint before the partition moves on: never pay twice. */
    private static void awaitCriticalSteps(List<CompletableFuture<Void>> critical) {
        try {
            CompletableFuture.allOf(critical.toArray(CompletableFuture[]::new))
                    .get(CRITICAL_STEPS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("some submits in flight did not finish within {} while handing jobs over", CRITICAL_STEPS_WAIT);
        }
    }

    private List<Job> takeWaiting() {
        List<Job> next = new ArrayList<>();
        while (running < maxInFlight && !waiting.isEmpty()) {
            Job job = waiting.pollFirst();
            job.started = true;
            running++;
            next.add(job);
        }
        return next;
    }

    /** Pauses the consumer while every slot is taken or promised, resumes it as soon as one is free. */
    private void adjustIntake() {
        boolean full = running + waiting.size() >= maxInFlight;
        if (full && !paused) {
            paused = true;
            intake.pause();
        } else if (!full && paused) {
            paused = false;
            intake.resume();
        }
    }

    private static final class Job {
        final TopicPartition partition;
        final long offset;
        final GenerationRequested request;
        final JobScope scope;
        final JobControl control;
        final List<Job> duplicates = new ArrayList<>();
        boolean started;
        boolean abandoned;
        Disposable subscription;

        Job(TopicPartition partition, long offset, GenerationRequested request, JobScope scope) {
            this.partition = partition;
            this.offset = offset;
            this.request = request;
            this.scope = scope;
            this.control = new JobControl(scope);
        }
    }
}
