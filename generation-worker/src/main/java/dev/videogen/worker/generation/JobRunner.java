package dev.videogen.worker.generation;

import dev.videogen.events.GenerationRequested;
import dev.videogen.events.JobError;
import dev.videogen.worker.intake.ImageSource;
import dev.videogen.worker.storage.JobCheckpoint;
import dev.videogen.worker.storage.JobCheckpoints;
import dev.videogen.worker.storage.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Runs one request to its end: Accepted, Started, progress, then the video and poster stored and Completed, or
 * Failed with a reason. A request whose job already finished is skipped, so redelivery never makes a second video.
 * Returns only when the terminal event is acknowledged; the caller commits the offset after that.
 */
@Component
public class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final int STORE_ATTEMPTS = 4;

    private final VideoGenerator generator;
    private final ImageSource images;
    private final ObjectStore store;
    private final JobCheckpoints checkpoints;
    private final KafkaTemplate<String, String> kafka;
    private final MeterRegistry meters;
    private final Clock clock = Clock.systemUTC();

    public JobRunner(VideoGenerator generator, ImageSource images, ObjectStore store, JobCheckpoints checkpoints,
                     KafkaTemplate<String, String> kafka, MeterRegistry meters) {
        this.generator = generator;
        this.images = images;
        this.store = store;
        this.checkpoints = checkpoints;
        this.kafka = kafka;
        this.meters = meters;
    }

    public void run(GenerationRequested request) throws InterruptedException {
        String jobId = request.jobId();
        MDC.put("jobId", jobId);
        try {
            JobCheckpoint checkpoint = withStoreRetries(() -> checkpoints.load(jobId));
            if (checkpoint.finished()) {
                log.info("job already finished; skipping the redelivered request");
                return;
            }
            JobEvents events = new JobEvents(kafka, checkpoints, clock, jobId, checkpoint);
            if (checkpoint.reservedSequence() == 0) {
                events.accepted(request);
            }
            Timer.Sample sample = Timer.start(meters);
            String outcome = execute(request, events);
            sample.stop(meters.timer("videogen.worker.job.duration", "generator", generator.name(), "outcome", outcome));
            meters.counter("videogen.worker.jobs", "generator", generator.name(), "outcome", outcome).increment();
        } finally {
            MDC.remove("jobId");
        }
    }

    private String execute(GenerationRequested request, JobEvents events) throws InterruptedException {
        String jobId = request.jobId();
        events.started(generator.name());
        try {
            ImageSource.Image image = images.load(request.imageUrl());
            log.info("generating with {} ({} bytes of {})", generator.name(), image.bytes().length, image.contentType());
            GeneratedVideo video = generator.generate(
                    new GenerationInput(jobId, request.prompt(), image.bytes(), image.contentType(), request.params()),
                    events);
            events.progressed(97, "storing the video", null, 1);
            String videoKey = jobId + ".mp4";
            String posterKey = jobId + ".jpg";
            withStoreRetries(() -> {
                store.put(store.videosBucket(), videoKey, video.mp4(), "video/mp4");
                store.put(store.videosBucket(), posterKey, video.posterJpeg(), "image/jpeg");
                return null;
            });
            events.completed(videoKey, posterKey, video.mp4().length, video.durationMs());
            log.info("job succeeded: {} bytes of video", video.mp4().length);
            return "succeeded";
        } catch (GenerationException e) {
            log.info("job failed: {}", e.getMessage());
            events.failed(e.error());
            return "failed";
        } catch (ObjectStore.StorageException e) {
            log.warn("job failed: object store unavailable: {}", e.getMessage());
            events.failed(new JobError("urn:videogen:error:storage-unavailable", "Storage unavailable",
                    "The video could not be stored because the object store is not reachable; please try again."));
            return "failed";
        }
    }

    private <T> T withStoreRetries(StoreCall<T> call) throws InterruptedException {
        long backoff = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (ObjectStore.StorageException e) {
                if (attempt == STORE_ATTEMPTS) {
                    throw e;
                }
                log.warn("object store call failed (attempt {} of {}), retrying: {}", attempt, STORE_ATTEMPTS, e.getMessage());
                TimeUnit.MILLISECONDS.sleep(backoff);
                backoff *= 2;
            }
        }
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run();
    }
}
