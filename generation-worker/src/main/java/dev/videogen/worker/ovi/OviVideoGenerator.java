package dev.videogen.worker.ovi;

import dev.videogen.worker.generation.GeneratedVideo;
import dev.videogen.worker.generation.GenerationException;
import dev.videogen.worker.generation.GenerationInput;
import dev.videogen.worker.generation.GenerationRun;
import dev.videogen.worker.generation.JobScope;
import dev.videogen.worker.generation.GenerationTimes;
import dev.videogen.worker.generation.JobRunner;
import dev.videogen.worker.generation.VideoGenerator;
import dev.videogen.worker.media.Mp4;
import dev.videogen.worker.media.PosterExtractor;
import dev.videogen.worker.ovi.OviClient.QueueStatus;
import dev.videogen.worker.ovi.OviClient.Submission;
import dev.videogen.worker.ovi.OviClient.VideoResult;
import dev.videogen.worker.storage.JobCheckpoint;
import dev.videogen.worker.storage.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Ovi through fal's queue: submit once, record the request id durably, poll on a timer (no thread waits), fetch the
 * result, download the video at once into a temporary file, check that it is an MP4 and decodable, and cut the
 * poster from it. A run whose checkpoint already holds a request id resumes polling that request and never submits
 * again. Progress goes out on its own timer, at least once a second, whatever the polls are doing.
 */
public final class OviVideoGenerator implements VideoGenerator, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OviVideoGenerator.class);

    private final OviClient client;
    private final GenerationTimes times;
    private final OviProperties properties;
    private final Scheduler cpu;
    private final PosterExtractor posters = new PosterExtractor();
    private final PollSchedule schedule;

    private final SharedTimings shared;

    /** A generator that learns the provider's timing by itself and shares it with no other worker. */
    public OviVideoGenerator(OviClient client, GenerationTimes times, OviProperties properties, Scheduler cpu) {
        this(client, times, properties, cpu, null);
    }

    /**
     * A generator that starts from the timings other workers shared, if any, and shares its own.
     *
     * @param shared where the timings are shared; null for nowhere
     */
    OviVideoGenerator(OviClient client, GenerationTimes times, OviProperties properties, Scheduler cpu,
                      SharedTimings shared) {
        this.client = client;
        this.times = times;
        this.properties = properties;
        this.cpu = cpu;
        this.schedule = new PollSchedule(properties.pollInterval(), POLL_MARGIN);
        this.shared = shared;
        if (shared != null) {
            shared.loadInBackground(this::startFrom);
        }
    }

    /** A generator that shares its timings with the other workers through the object store. */
    public static OviVideoGenerator sharing(OviClient client, GenerationTimes times, OviProperties properties,
                                            Scheduler cpu, ObjectStore store, Executor io) {
        return new OviVideoGenerator(client, times, properties, cpu,
                new SharedTimings(store, client.provider(),
                        client.mode() == OviClient.Mode.FAL ? properties.falApp() : properties.model(), io,
                        Clock.systemUTC()));
    }

    private void startFrom(SharedTimings.Snapshot snapshot) {
        boolean eta = times.seed(snapshot.generationMillis().stream().mapToLong(Long::longValue).toArray());
        boolean polls = schedule.seed(snapshot.notDoneMillis().stream()
                .mapToLong(millis -> TimeUnit.MILLISECONDS.toNanos(millis)).toArray());
        log.info("starting from the timings shared at {}: {} generation times{}, {} not-done moments{} (typical {} s, "
                        + "result expected {} ms after submit)", snapshot.savedAt(),
                snapshot.generationMillis().size(), eta ? "" : " (not taken)", snapshot.notDoneMillis().size(),
                polls ? "" : " (not taken)", times.typical().toMillis() / 1000.0,
                TimeUnit.NANOSECONDS.toMillis(schedule.expectedNanos()));
    }

    /** What this generator knows about the provider's timing, as shared with other workers. */
    SharedTimings.Snapshot timings() {
        long[] notDone = Arrays.stream(schedule.notDoneMoments()).map(TimeUnit.NANOSECONDS::toMillis).toArray();
        return shared.snapshot(times.recentMillis(), notDone);
    }

    /** When, after its submit, this generator expects a result (-1 while it does not know). */
    long expectedNanos() {
        return schedule.expectedNanos();
    }

    private void learned() {
        if (shared != null) {
            shared.changed(this::timings);
        }
    }

    /** How much later than the expected completion a poll is aimed: network and scheduling noise. */
    static final Duration POLL_MARGIN = Duration.ofMillis(25);

    @Override
    public String name() {
        return client.provider();
    }

    /** Closes the client's connections and event loops when the worker stops. */
    @Override
    public void close() {
        if (shared != null) {
            shared.flush(this::timings);
        }
        client.close();
    }

    @Override
    public Mono<GeneratedVideo> generate(GenerationInput input, GenerationRun run) {
        return Mono.defer(() -> {
            JobCheckpoint checkpoint = run.checkpoint();
            boolean resuming = checkpoint.isSubmitted();
            if (resuming && !client.provider().equals(checkpoint.provider())) {
                return Mono.error(new GenerationException("provider-changed", "Provider changed",
                        "The job was submitted to " + checkpoint.provider() + " but this worker uses "
                                + client.provider() + "; it cannot follow that request."));
            }
            OviProgress progress = new OviProgress(times, properties.secondsPerQueuePosition(), client.provider(),
                    resuming);
            if (resuming) {
                input.releaseImage(); // the provider has it already
            }
            AtomicLong submitAnswered = new AtomicLong(); // 0 when resuming: when it was submitted is not known
            Mono<Submission> submission = resuming ? resume(checkpoint, run) : submitOnce(input, run, submitAnswered);
            Mono<GeneratedVideo> flow = submission
                    .flatMap(request -> awaitCompletion(request, progress, submitAnswered.get())
                            .flatMap(status -> fetch(request, status, progress)));
            return Mono.using(() -> ticker(run, progress), ticker -> flow, Disposable::dispose)
                    // Kafka or the object store being away is not the provider's failure: the runner retries those
                    .onErrorMap(e -> !(e instanceof GenerationException) && !JobRunner.isInfrastructure(e), client::explain);
        });
    }

    private Mono<Submission> resume(JobCheckpoint checkpoint, GenerationRun run) {
        Submission request = new Submission(checkpoint.providerRequestId(), checkpoint.providerResponsePath());
        if (request.responsePath() == null) {
            return Mono.error(new GenerationException("provider-error", "Provider error",
                    "The checkpoint names request " + request.requestId() + " but not where to poll it."));
        }
        run.scope().run(() -> log.info("job {}: resuming {} request {} instead of submitting again", run.jobId(),
                client.provider(), request.requestId()));
        run.onAbort(() -> client.cancel(request));
        return Mono.just(request);
    }

    /**
     * Submits and records the request id, as one step that runs to its end even if the job is dropped meanwhile.
     * A job canceled during the submit waits for it and then cancels the request it made.
     */
    private Mono<Submission> submitOnce(GenerationInput input, GenerationRun run, AtomicLong submitAnswered) {
        CompletableFuture<Submission> submitted = new CompletableFuture<>();
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean aborted = new AtomicBoolean();
        AtomicBoolean canceled = new AtomicBoolean();
        Function<Submission, Mono<Void>> cancelOnce = request -> canceled.compareAndSet(false, true)
                ? client.cancel(request) : Mono.empty();
        run.onAbort(() -> {
            aborted.set(true);
            return started.get()
                    ? Mono.fromFuture(submitted, true).onErrorResume(e -> Mono.empty()).flatMap(cancelOnce)
                    : Mono.empty();
        });
        Mono<Submission> submitAndRecord = client.submit(input)
                .doOnNext(request -> submitAnswered.set(System.nanoTime()))
                .flatMap(request -> {
                    run.scope().run(() -> log.info("job {}: {} took it as request {}", run.jobId(), client.provider(),
                            request.requestId()));
                    return run.submitted(client.provider(), request.requestId(), request.responsePath())
                            .onErrorResume(e -> {
                                // not recorded: a later run could not find it, so do not let it run (and bill) unseen
                                run.scope().run(() -> log.warn("job {}: could not record request {}; canceling it",
                                        run.jobId(), request.requestId()));
                                return client.cancel(request).onErrorResume(x -> Mono.empty()).then(Mono.error(e));
                            })
                            .thenReturn(request);
                })
                // a submit that outlived its job (canceled, or past its deadline, while it was still retrying)
                .flatMap(request -> aborted.get()
                        ? cancelOnce.apply(request).onErrorResume(e -> Mono.empty()).thenReturn(request)
                        : Mono.just(request))
                .doOnSubscribe(s -> started.set(true))
                .doOnNext(request -> input.releaseImage())
                .doOnNext(submitted::complete)
                .doOnError(submitted::completeExceptionally);
        return run.critical(submitAndRecord);
    }

    /**
     * Polls on a timer until COMPLETED; each poll has its own timeout and retries, the job its deadline. Twice the
     * poll interval while the result is not due yet, the poll interval once it nears the typical generation time:
     * fewer requests for hundreds of jobs in flight, and still a prompt pick-up of each result. Once recent jobs tell
     * when a result is expected after its submit ({@link PollSchedule}), the cadence is shifted so that a poll lands
     * just after that moment instead of up to an interval later.
     *
     * @param submittedAt {@code System.nanoTime()} when the submit was answered; 0 for a resumed request
     */
    private Mono<QueueStatus> awaitCompletion(Submission request, OviProgress progress, long submittedAt) {
        boolean timed = submittedAt != 0;
        long expected = timed ? schedule.expectedNanos() : -1;
        AtomicLong lastNotDone = new AtomicLong(-1); // when the last poll that found it running went out, since submit
        return Mono.defer(() -> {
                    long sentAt = System.nanoTime();
                    return client.status(request).doOnNext(status -> {
                        if (!status.completed()) {
                            lastNotDone.set(sentAt - submittedAt);
                        }
                    });
                })
                .doOnNext(status -> progress.observe(status, System.nanoTime()))
                .filter(QueueStatus::completed)
                .doOnNext(status -> {
                    if (timed) { // what this job teaches (PollSchedule): a later lower bound if it was missed
                        schedule.finished(expected, lastNotDone.get());
                    }
                })
                .doOnEach(JobScope.onNext(status -> log.debug("request {}: completed", request.requestId())))
                .repeatWhenEmpty(Integer.MAX_VALUE, polls -> polls.concatMap(i -> {
                    long now = System.nanoTime();
                    long untilExpected = expected < 0 ? Long.MIN_VALUE : submittedAt + expected - now;
                    return Mono.delay(schedule.nextDelay(untilExpected, progress.dueSoon(now)));
                }));
    }

    private Mono<GeneratedVideo> fetch(Submission request, QueueStatus completed, OviProgress progress) {
        Duration took = completed.inferenceSeconds() != null
                ? Duration.ofMillis(Math.round(completed.inferenceSeconds() * 1000))
                : progress.generatingFor(System.nanoTime());
        if (took != null) {
            times.record(took);
        }
        learned();
        long start = System.nanoTime();
        return client.result(request).flatMap(result -> Mono.deferContextual(context -> {
            JobScope.runIn(context, () -> log.debug("request {}: result after {} ms", request.requestId(),
                    millisSince(start)));
            progress.finishing(92, "downloading the video");
            // the still is cut while the runner already stores the video (it deletes the file after both)
            return download(result).doOnEach(JobScope.onNext(file -> log.debug("request {}: downloaded after {} ms",
                    request.requestId(), millisSince(start)))).flatMap(file -> Mono.fromCallable(() -> {
                        Mono<GeneratedVideo.Poster> poster = poster(file, progress)
                                .doOnEach(JobScope.onNext(still -> log.debug("request {}: poster after {} ms",
                                        request.requestId(), millisSince(start))))
                                .contextWrite(context);
                        return new GeneratedVideo(file, Files.size(file), poster);
                    })
                    .onErrorResume(e -> {
                        delete(file);
                        return Mono.error(e);
                    }));
        }));
    }

    /** Downloads into a temporary file that the job owns from here on; deleted again if anything goes wrong. */
    private Mono<Path> download(VideoResult result) {
        return Mono.fromCallable(() -> Files.createTempFile("videogen-ovi-", ".mp4"))
                .flatMap(file -> client.download(result.url(), file)
                        .then(Mono.fromCallable(() -> {
                            if (!Mp4.startsWithFtyp(file)) {
                                throw new GenerationException("video-unplayable", "Not a video",
                                        "The provider's result is not an MP4 video (no ftyp box at its start).");
                            }
                            return file;
                        }))
                        .doOnError(e -> delete(file))
                        .doOnCancel(() -> delete(file)));
    }

    private Mono<GeneratedVideo.Poster> poster(Path file, OviProgress progress) {
        return Mono.fromCallable(() -> {
            progress.finishing(95, "making the poster");
            PosterExtractor.Still still;
            try {
                still = posters.extract(file);
            } catch (IOException e) {
                throw new GenerationException("video-unplayable", "Not a playable video",
                        "The provider's video cannot be decoded: " + e.getMessage(), e);
            }
            return new GeneratedVideo.Poster(still.jpeg(), still.durationMs());
        }).subscribeOn(cpu);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private Disposable ticker(GenerationRun run, OviProgress progress) {
        return Flux.interval(Duration.ZERO, properties.progressInterval())
                .subscribe(tick -> progress.report(run, System.nanoTime()));
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", file, e.getMessage());
        }
    }
}
