package dev.videogen.worker.generation;

import dev.videogen.events.GenerationRequested;
import dev.videogen.events.JobError;
import dev.videogen.worker.WorkerProperties;
import dev.videogen.worker.WorkerThreads;
import dev.videogen.worker.intake.ImageSource;
import dev.videogen.worker.storage.JobCheckpoint;
import dev.videogen.worker.storage.JobCheckpoints;
import dev.videogen.worker.storage.ObjectStore;
import dev.videogen.worker.storage.StoreRetries;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs one request to its end, without holding a thread while it waits: Accepted, Started, progress, then the video
 * and poster stored and Completed; or Failed with a reason; or Canceled. A request whose job already finished is
 * skipped, so redelivery never makes a second video; a job whose provider request is in the checkpoint resumes it.
 * The returned Mono completes only when the terminal event is acknowledged by Kafka; the caller commits the offset
 * after that. It fails only when Kafka or the object store is away: then the caller runs it again later, and it
 * resumes from the checkpoint.
 */
@Component
public class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final Duration ABORT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STORING_TICK = Duration.ofMillis(800);

    private final VideoGenerator generator;
    private final ImageSource images;
    private final ObjectStore store;
    private final JobCheckpoints checkpoints;
    private final KafkaTemplate<String, String> kafka;
    private final MeterRegistry meters;
    private final WorkerThreads threads;
    private final Duration deadline;
    private final Clock clock = Clock.systemUTC();

    public JobRunner(VideoGenerator generator, ImageSource images, ObjectStore store, JobCheckpoints checkpoints,
                     KafkaTemplate<String, String> kafka, MeterRegistry meters, WorkerThreads threads,
                     WorkerProperties properties) {
        this.generator = generator;
        this.images = images;
        this.store = store;
        this.checkpoints = checkpoints;
        this.kafka = kafka;
        this.meters = meters;
        this.threads = threads;
        this.deadline = properties.jobDeadline();
        for (Outcome outcome : new Outcome[] {Outcome.SUCCEEDED, Outcome.FAILED, Outcome.CANCELED}) {
            jobs(outcome); // each outcome is on /actuator/prometheus at 0 before its first job
        }
    }

    /**
     * Ends a job that no worker has started yet (its request still waits in Kafka) as canceled, at once: the
     * checkpoint is marked finished, so the request is skipped when a worker reaches it. False when the job has
     * already started somewhere (then its runner ends it) or has finished.
     */
    public boolean cancelQueued(String jobId) {
        JobCheckpoint checkpoint = StoreRetries.call(() -> checkpoints.load(jobId));
        if (checkpoint.finished() || checkpoint.reservedSequence() > 0) {
            return false;
        }
        JobEvents events = new JobEvents(kafka, checkpoints, threads.ioExecutor(), clock, jobId, checkpoint);
        events.canceled("canceled while waiting in the queue").join();
        jobs(Outcome.CANCELED).increment();
        return true;
    }

    public String generatorName() {
        return generator.name();
    }

    /**
     * The job's scope (its trace and its jobId for the logs) travels in the pipeline's context, so that code deep in
     * it, such as the provider client's retries, logs about the job too.
     */
    public Mono<Outcome> run(GenerationRequested request, JobControl control) {
        String jobId = request.jobId();
        JobScope scope = control.scope(jobId);
        // the checkpoint, a cancel mark and the image are read side by side, not one after the other; the image is
        // only waited for where it is needed (Accepted and Started go out without waiting for a slow image URL)
        Mono<ImageSource.Image> image = blocking(scope, () -> images.load(request.imageUrl())).cache();
        image.subscribe(loaded -> { }, failed -> { }); // its failure is the job's, reported where it is used
        Mono<Boolean> canceled = blocking(scope, () -> control.cancelRequested()
                || StoreRetries.call(() -> checkpoints.isCanceled(jobId)));
        return Mono.zip(blocking(scope, () -> StoreRetries.call(() -> checkpoints.load(jobId))), canceled)
                .flatMap(read -> {
                    JobCheckpoint checkpoint = read.getT1();
                    if (checkpoint.finished()) {
                        logInfo(scope, "job {} already finished; skipping the redelivered request", jobId);
                        return Mono.just(Outcome.SKIPPED);
                    }
                    return begin(request, control, scope, checkpoint, read.getT2(), image);
                })
                .contextWrite(scope::into);
    }

    private Mono<Outcome> begin(GenerationRequested request, JobControl control, JobScope scope, JobCheckpoint loaded,
                                boolean canceledBeforeStart, Mono<ImageSource.Image> image) {
        String jobId = request.jobId();
        boolean firstStart = loaded.startedAt() == null;
        Instant startedAt = firstStart ? clock.instant() : loaded.startedAt();
        JobCheckpoint checkpoint = firstStart ? loaded.started(startedAt) : loaded;
        JobEvents events = new JobEvents(kafka, checkpoints, threads.ioExecutor(), clock, scope, checkpoint);
        if (checkpoint.reservedSequence() == 0) {
            events.accepted(request);
        }
        if (canceledBeforeStart) {
            logInfo(scope, "job {} was canceled before it started", jobId);
            return terminal(events.canceled("canceled before it started"), Outcome.CANCELED)
                    .doOnNext(outcome -> jobs(outcome).increment());
        }
        events.started(generator.name());
        if (firstStart && request.requestedAt() != null && !startedAt.isBefore(request.requestedAt())) {
            // queue time once per job: a resumed run started long ago
            queueTime().record(Duration.between(request.requestedAt(), startedAt));
        }
        Timer.Sample sample = Timer.start(meters);
        return execute(request, control, scope, events, checkpoint, startedAt, image)
                .doOnCancel(events::abandon)
                .doOnNext(outcome -> {
                    sample.stop(meters.timer("videogen.worker.job.duration", "generator", generator.name(),
                            "outcome", outcome.tag()));
                    jobs(outcome).increment();
                    // from the job's first start, across resumed runs, to its terminal event
                    runTime(outcome).record(Duration.between(startedAt, clock.instant()));
                });
    }

    /** Jobs ended by this worker, by outcome ({@code succeeded}, {@code failed}, {@code canceled}). */
    private Counter jobs(Outcome outcome) {
        return Counter.builder("videogen.worker.jobs")
                .description("Jobs this worker ended, by outcome")
                .tags("generator", generator.name(), "outcome", outcome.tag())
                .register(meters);
    }

    /** From the request's {@code requestedAt} to the job's start on a worker. */
    private Timer queueTime() {
        return Timer.builder("videogen.worker.job.queue.time")
                .description("Time from a job's request to its start on a worker")
                .tag("generator", generator.name())
                .publishPercentileHistogram()
                .register(meters);
    }

    /** From the job's start to its terminal event. */
    private Timer runTime(Outcome outcome) {
        return Timer.builder("videogen.worker.job.run.time")
                .description("Time from a job's start to its terminal event")
                .tags("generator", generator.name(), "outcome", outcome.tag())
                .publishPercentileHistogram()
                .register(meters);
    }

    private Mono<Outcome> execute(GenerationRequested request, JobControl control, JobScope scope, JobEvents events,
                                  JobCheckpoint checkpoint, Instant startedAt, Mono<ImageSource.Image> loaded) {
        String jobId = request.jobId();
        Run run = new Run(events, checkpoint, control, scope);
        Duration left = Duration.between(clock.instant(), startedAt.plus(deadline));
        AtomicReference<Stop> stop = new AtomicReference<>();
        Mono<Stop> stopSignal = Mono.firstWithValue(
                        control.canceled().map(ignored -> Stop.CANCELED),
                        Mono.delay(left.isNegative() ? Duration.ZERO : left).map(ignored -> Stop.DEADLINE))
                .doOnNext(stop::set);
        Mono<GeneratedVideo> work = loaded
                .flatMap(image -> {
                    logInfo(scope, "job {}: generating with {} ({} bytes of {})", jobId, generator.name(),
                            image.bytes().length, image.contentType());
                    return generator.generate(new GenerationInput(jobId, request.prompt(), image.bytes(),
                            image.contentType(), request.params()), run);
                });
        return work.takeUntilOther(stopSignal)
                .switchIfEmpty(Mono.defer(() -> Mono.error(stop.get() != null ? new Stopped(stop.get())
                        : new IllegalStateException("the generator finished without a video"))))
                .flatMap(video -> storeAndComplete(scope, video, events))
                .onErrorResume(e -> ended(scope, unwrap(e), run, events));
    }

    private Mono<Outcome> storeAndComplete(JobScope scope, GeneratedVideo video, JobEvents events) {
        String jobId = scope.jobId();
        String videoKey = jobId + ".mp4";
        String posterKey = jobId + ".jpg";
        long start = System.nanoTime();
        // the video goes up while its poster is cut (if it is not yet), the poster as soon as it is made
        Mono<String> putVideo = blocking(scope, () -> {
            StoreRetries.run(() -> store.put(store.videosBucket(), videoKey, video.mp4(), "video/mp4"));
            return videoKey;
        });
        Mono<GeneratedVideo.Poster> putPoster = video.poster().flatMap(poster -> blocking(scope, () -> {
            StoreRetries.run(() -> store.put(store.videosBucket(), posterKey, poster.jpeg(), "image/jpeg"));
            return poster;
        }));
        Mono<GeneratedVideo.Poster> stored = Mono.zip(putVideo, putPoster, (key, poster) -> poster)
                // a video without a still is not playable: the job fails, and the video stored meanwhile goes again
                .doOnError(GenerationException.class, e -> blocking(scope, () -> {
                    store.delete(store.videosBucket(), videoKey);
                    return videoKey;
                }).subscribe(deleted -> { }, x -> scope.run(() -> log.warn("job {}: could not delete {}: {}", jobId,
                        videoKey, x.toString()))));
        // progress keeps coming while the object store takes its time, as it does while generating
        return Mono.using(() -> Flux.interval(Duration.ZERO, STORING_TICK)
                                .subscribe(tick -> events.progressed(97, "storing the video", null, 1)),
                        ticker -> stored, Disposable::dispose)
                // the store being away is infrastructure, not the job's fault: the run is taken up again from its
                // checkpoint (the provider's result is fetched again, never paid for again) until the job's deadline
                .doOnError(ObjectStore.StorageException.class, e -> scope.run(() -> log.warn(
                        "job {}: object store unavailable while storing the video: {}", jobId, e.getMessage())))
                .doOnNext(done -> scope.run(() -> log.debug("job {}: stored after {} ms", jobId,
                        (System.nanoTime() - start) / 1_000_000)))
                .flatMap(poster -> terminal(events.completed(videoKey, posterKey, video.bytes(), poster.durationMs()),
                        Outcome.SUCCEEDED))
                .doOnNext(outcome -> logInfo(scope, "job {} succeeded: {} bytes of video", jobId, video.bytes()))
                .doFinally(signal -> deleteQuietly(video.mp4()));
    }

    /** The one place a run's failure becomes its terminal event; Kafka or storage being away is left to the caller. */
    private Mono<Outcome> ended(JobScope scope, Throwable e, Run run, JobEvents events) {
        String jobId = scope.jobId();
        if (e instanceof Stopped stopped) {
            Mono<Void> abort = run.abortUpstream(jobId);
            if (stopped.reason == Stop.CANCELED) {
                logInfo(scope, "job {} canceled", jobId);
                return abort.then(terminal(events.canceled("canceled by request"), Outcome.CANCELED));
            }
            logInfo(scope, "job {} passed its deadline of {}", jobId, deadline);
            JobError timeout = new JobError("urn:videogen:error:timeout", "Timed out",
                    "The video was not ready within " + human(deadline)
                            + (run.hasUpstream() ? "; the request to the provider was canceled." : "."));
            return abort.then(terminal(events.failed(timeout), Outcome.FAILED));
        }
        if (e instanceof GenerationException failure) {
            logInfo(scope, "job {} failed: {}", jobId, failure.getMessage());
            return terminal(events.failed(failure.error()), Outcome.FAILED);
        }
        if (isInfrastructure(e)) {
            return Mono.error(e);
        }
        scope.run(() -> log.error("job {} failed unexpectedly", jobId, e));
        return terminal(events.failed(new JobError("urn:videogen:error:internal", "Internal error",
                "The worker failed unexpectedly; please try again.")), Outcome.FAILED);
    }

    /** Kafka or the object store did not answer: nothing is wrong with the job, it runs again from its checkpoint. */
    public static boolean isInfrastructure(Throwable e) {
        Throwable t = unwrap(e);
        return t instanceof JobEvents.EventPublishException || t instanceof ObjectStore.StorageException;
    }

    private static Mono<Outcome> terminal(CompletableFuture<Void> event, Outcome outcome) {
        return Mono.fromFuture(event, true).thenReturn(outcome);
    }

    /** A blocking step on the I/O pool, inside the job's scope: a storage retry logged there names the job. */
    private <T> Mono<T> blocking(JobScope scope, java.util.concurrent.Callable<T> call) {
        return Mono.fromCallable(scope.wrap(call)).subscribeOn(threads.io());
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete the temporary file {}: {}", file, e.getMessage());
        }
    }

    static String human(Duration d) {
        if (d.toSeconds() % 60 == 0 && d.toMinutes() > 0) {
            return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + (d.toSeconds() == 1 ? " second" : " seconds");
        }
        return d.toMillis() + " ms";
    }

    private static void logInfo(JobScope scope, String format, Object... args) {
        scope.run(() -> log.info(format, args));
    }

    private enum Stop { CANCELED, DEADLINE }

    private static final class Stopped extends RuntimeException {
        private final Stop reason;

        Stopped(Stop reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }
    }

    /** One run's view for the generator: its events and checkpoint, and the upstream abort it registers. */
    private static final class Run implements GenerationRun {

        private final JobEvents events;
        private final JobCheckpoint checkpoint;
        private final JobControl control;
        private final JobScope scope;
        private final AtomicReference<Supplier<Mono<Void>>> abort = new AtomicReference<>();

        Run(JobEvents events, JobCheckpoint checkpoint, JobControl control, JobScope scope) {
            this.events = events;
            this.checkpoint = checkpoint;
            this.control = control;
            this.scope = scope;
        }

        @Override
        public JobScope scope() {
            return scope;
        }

        @Override
        public <T> Mono<T> critical(Mono<T> step) {
            return control.critical(step);
        }

        boolean hasUpstream() {
            return abort.get() != null;
        }

        @Override
        public String jobId() {
            return events.jobId();
        }

        @Override
        public JobCheckpoint checkpoint() {
            return checkpoint;
        }

        @Override
        public Mono<Void> submitted(String provider, String providerRequestId, String responsePath) {
            return Mono.defer(() -> Mono.fromFuture(events.submitted(provider, providerRequestId, responsePath), true));
        }

        @Override
        public void progressed(int progress, String stage, Integer queuePosition, Integer etaSeconds) {
            events.progressed(progress, stage, queuePosition, etaSeconds);
        }

        @Override
        public void onAbort(Supplier<Mono<Void>> abort) {
            this.abort.set(abort);
        }

        Mono<Void> abortUpstream(String jobId) {
            Supplier<Mono<Void>> registered = abort.get();
            if (registered == null) {
                return Mono.empty();
            }
            return Mono.defer(registered)
                    .timeout(ABORT_TIMEOUT)
                    .onErrorResume(e -> {
                        scope.run(() -> log.warn("job {}: could not cancel the provider's request: {}", jobId,
                                e.toString()));
                        return Mono.empty();
                    });
        }
    }
}
