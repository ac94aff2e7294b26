package dev.videogen.gateway.submit;

import dev.videogen.events.GenerationRequested;
import dev.videogen.events.VideoJob;
import dev.videogen.gateway.owner.Owner;
import dev.videogen.web.Problems;
import dev.videogen.gateway.storage.UploadStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;

/**
 * {@code POST /api/generate-video}: checks the upload by its bytes, stores it (claim check), publishes the request
 * and answers 202 with the queued job. Nothing is published unless the image is safely stored.
 */
@RestController
class SubmitController {

    private static final Logger log = LoggerFactory.getLogger(SubmitController.class);

    private final SubmissionValidator validator;
    private final UploadStore uploads;
    private final RequestPublisher publisher;
    private final RateLimiter rateLimiter;
    private final IdempotencyStore idempotency;
    private final MeterRegistry meters;
    private final Timer uploadTime;
    private final Counter submitted;
    private final Clock clock;

    SubmitController(SubmissionValidator validator, UploadStore uploads, RequestPublisher publisher,
                     RateLimiter rateLimiter, IdempotencyStore idempotency, MeterRegistry meters) {
        this.meters = meters;
        this.uploadTime = Timer.builder("videogen.gateway.upload.duration")
                .description("Time to store an uploaded image in the object store")
                .publishPercentileHistogram()
                .register(meters);
        this.submitted = Counter.builder("videogen.jobs.submitted")
                .description("Jobs submitted through the gateway")
                .register(meters);
        this.validator = validator;
        this.uploads = uploads;
        this.publisher = publisher;
        this.rateLimiter = rateLimiter;
        this.idempotency = idempotency;
        this.clock = Clock.systemUTC();
    }

    @PostMapping(path = "/api/generate-video", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    Mono<ResponseEntity<VideoJob>> submit(ServerWebExchange exchange) {
        String ownerId = Owner.of(exchange);
        String idempotencyKey = exchange.getRequest().getHeaders().getFirst("Idempotency-Key");
        if (idempotencyKey != null) {
            IdempotencyStore.checkKey(idempotencyKey);
        }
        return rateLimiter.admit(ownerId)
                .then(exchange.getMultipartData())
                .flatMap(this::readForm)
                .map(validator::validate)
                .flatMap(submission -> {
                    Instant now = clock.instant();
                    String jobId = JobIds.next(now.toEpochMilli());
                    VideoJob queued = VideoJob.queued(jobId, submission.prompt(), now);
                    if (idempotencyKey == null) {
                        return start(ownerId, jobId, submission, now);
                    }
                    return idempotency.claim(ownerId, idempotencyKey, IdempotencyStore.fingerprint(submission), queued)
                            .flatMap(original -> original.isPresent()
                                    ? Mono.just(accepted(original.get()))
                                    : start(ownerId, jobId, submission, now)
                                            .onErrorResume(e -> idempotency.release(ownerId, idempotencyKey).then(Mono.error(e))));
                });
    }

    private Mono<ResponseEntity<VideoJob>> start(String ownerId, String jobId, SubmissionValidator.Submission submission,
                                                 Instant now) {
        var request = new GenerationRequested(jobId, ownerId, submission.prompt(), uploads.urlOf(jobId),
                submission.params(), now);
        Timer.Sample upload = Timer.start(meters);
        return uploads.put(jobId, submission.image(), submission.imageInfo().contentType())
                .doOnSuccess(ignored -> upload.stop(uploadTime))
                .then(publisher.publish(request).onErrorResume(e -> uploads.delete(jobId).then(Mono.error(
                        Problems.unavailable("queue-unavailable", "Queue unavailable", "The message broker is not "
                                + "reachable right now, so the job was not submitted. Please try again in a few seconds.",
                                e)))))
                .doOnSuccess(ignored -> submitted.increment())
                .then(Mono.deferContextual(context -> Mono.fromRunnable(() -> RequestPublisher.inObservationOf(context,
                        jobId, () -> {
                            log.info("job {} submitted ({} bytes, {}x{} {})", jobId, submission.image().length,
                                    submission.imageInfo().width(), submission.imageInfo().height(),
                                    submission.imageInfo().contentType());
                            return null;
                        }))))
                .thenReturn(accepted(VideoJob.queued(jobId, submission.prompt(), now)));
    }

    private static ResponseEntity<VideoJob> accepted(VideoJob job) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/video-jobs/" + job.jobId())).body(job);
    }

    private Mono<SubmissionValidator.Form> readForm(MultiValueMap<String, Part> parts) {
        Part image = parts.getFirst("image");
        if (!(image instanceof FilePart)) {
            return Mono.error(Problems.invalidInput("Attach an image file in the form field 'image'."));
        }
        return DataBufferUtils.join(image.content())
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0])
                .map(bytes -> new SubmissionValidator.Form(bytes, field(parts, "prompt"), field(parts, "negativePrompt"),
                        field(parts, "seed"), field(parts, "steps")));
    }

    private static String field(MultiValueMap<String, Part> parts, String name) {
        Part part = parts.getFirst(name);
        return part instanceof FormFieldPart field ? field.value() : null;
    }
}
