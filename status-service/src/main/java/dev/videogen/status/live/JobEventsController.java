package dev.videogen.status.live;

import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/video-jobs/{jobId}/events}: the current state first, then every change, each with its event
 * sequence as the SSE id; {@code Last-Event-ID} skips what the client has already seen. Updates come through Redis
 * pub/sub ({@link JobUpdatesListener}), so a stream on any replica sees the fold of every replica. A queued job's
 * position changes without an event of its own: those changes come without an id (the client's last id stays
 * valid for resuming). Frames are serialized once per change and written as they are to every stream of the job.
 * A slow client only ever gets the latest state; it holds up nobody else.
 */
@RestController
class JobEventsController {

    private static final byte[] HEARTBEAT = ":keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final JobStore store;
    private final JobUpdatesListener updates;
    private final LiveProperties properties;
    private final AtomicInteger open = new AtomicInteger();

    JobEventsController(JobStore store, JobUpdatesListener updates, LiveProperties properties, MeterRegistry meters) {
        this.store = store;
        this.updates = updates;
        this.properties = properties;
        Gauge.builder("videogen.sse.streams", open, AtomicInteger::get)
                .description("Open server-sent event streams of job updates")
                .register(meters);
    }

    /**
     * Registers for the job's updates, then reads it: the owner check comes first, so a stranger gets a plain 404
     * problem rather than a stream, and the same read is the stream's snapshot (nothing can fall in between).
     */
    @GetMapping(path = "/api/video-jobs/{jobId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<Void> events(@PathVariable String jobId,
                      @RequestHeader(name = "X-Videogen-Owner", required = false) String owner,
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                      ServerHttpResponse response) {
        long resumeAfter = parseId(lastEventId);
        return Mono.using(() -> updates.subscribe(jobId),
                subscriber -> store.findOwned(jobId, owner).flatMap(snapshot -> {
                    response.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
                    response.getHeaders().setCacheControl(CacheControl.noStore());
                    response.getHeaders().set("X-Accel-Buffering", "no"); // a buffering proxy would hold events back
                    DataBufferFactory buffers = response.bufferFactory();
                    return response.writeAndFlushWith(stream(snapshot, subscriber, resumeAfter)
                            .map(frame -> Mono.just(buffers.wrap(frame))));
                }),
                JobUpdatesListener.Subscriber::close);
    }

    /**
     * Errors here are problems, not events: left to content negotiation, the stream's media type would wrap the
     * problem in an SSE {@code data:} line.
     */
    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ProblemDetail> problem(ErrorResponseException e) {
        return ResponseEntity.status(e.getStatusCode()).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(e.getBody());
    }

    /** Package-private for its test: one stream, from the snapshot on. */
    Flux<byte[]> stream(StoredJob snapshot, JobUpdatesListener.Subscriber subscriber, long resumeAfter) {
        Progress progress = new Progress(resumeAfter);
        JobUpdate first = subscriber.snapshot(snapshot);
        Sinks.Empty<Void> done = Sinks.empty();
        Flux<byte[]> data = Flux.concat(Mono.just(first), first.terminal() ? Flux.<JobUpdate>empty() : subscriber.updates())
                .takeUntil(JobUpdate::terminal)
                .concatMap(update -> Mono.justOrEmpty(progress.next(update)))
                .onBackpressureLatest()
                .doFinally(signal -> done.tryEmitEmpty());
        Flux<byte[]> heartbeats = Flux.interval(properties.heartbeat())
                .onBackpressureDrop()
                .map(tick -> HEARTBEAT)
                .takeUntilOther(done.asMono());
        // prefetch 1: a client that stops reading leaves at most one older state queued here, and the latest above
        return Flux.merge(1, data, heartbeats)
                .doOnSubscribe(subscription -> open.incrementAndGet())
                .doFinally(signal -> open.decrementAndGet());
    }

    /** What one stream has told its client; decides what to send next. Used by one subscriber at a time. */
    static final class Progress {

        private long sentSequence;
        private Integer sentPosition;
        private boolean first = true;

        Progress(long resumeAfter) {
            this.sentSequence = resumeAfter;
        }

        /** The frame to send for this state, if any: newer states with their id, position-only changes without. */
        byte[] next(JobUpdate update) {
            boolean resumedAtSameState = first && update.sequence() == sentSequence;
            first = false;
            if (update.sequence() > sentSequence) {
                sentSequence = update.sequence();
                sentPosition = update.queuePosition();
                return update.withId();
            }
            if (update.sequence() == sentSequence && update.queued()
                    && (resumedAtSameState || !Objects.equals(update.queuePosition(), sentPosition))) {
                sentPosition = update.queuePosition();
                return update.withoutId();
            }
            return null;
        }
    }

    /** -1 without a Last-Event-ID: then even a job without any event yet (sequence 0) is sent. */
    private static long parseId(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(lastEventId.strip()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
