package dev.videogen.status.live;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;
import dev.videogen.status.fold.JobKeys;
import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.data.redis.connection.ReactiveSubscription.Message;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/video-jobs/{jobId}/events}: the current state first, then every change, each with its event
 * sequence as the SSE id; {@code Last-Event-ID} skips what the client has already seen. Updates come through Redis
 * pub/sub, so a stream on any replica sees the fold of every replica. A queued job's position changes without
 * an event of its own: those changes come without an id (the client's last id stays valid for resuming).
 * A slow client only ever gets the latest state; it holds up nobody else.
 */
@RestController
class JobEventsController {

    private final JobStore store;
    private final ReactiveRedisMessageListenerContainer listeners;
    private final LiveProperties properties;
    private final AtomicInteger open = new AtomicInteger();

    JobEventsController(JobStore store, ReactiveRedisMessageListenerContainer listeners, LiveProperties properties,
                        MeterRegistry meters) {
        this.store = store;
        this.listeners = listeners;
        this.properties = properties;
        Gauge.builder("videogen.sse.streams", open, AtomicInteger::get)
                .description("Open server-sent event streams of job updates")
                .register(meters);
    }

    /** The owner check comes first, so a stranger gets a plain 404 problem rather than a stream. */
    @GetMapping(path = "/api/video-jobs/{jobId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<ResponseEntity<Flux<ServerSentEvent<String>>>> events(
            @PathVariable String jobId,
            @RequestHeader(name = "X-Videogen-Owner", required = false) String owner,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        long resumeAfter = parseId(lastEventId);
        return store.findOwned(jobId, owner).map(found -> ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header("X-Accel-Buffering", "no") // a buffering proxy would hold the events back
                .body(live(jobId, owner, resumeAfter)));
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

    private Flux<ServerSentEvent<String>> live(String jobId, String owner, long resumeAfter) {
        return listeners.receiveLater(ChannelTopic.of(JobKeys.updates(jobId)), ChannelTopic.of(JobKeys.QUEUE_CHANGES))
                .flatMapMany(messages -> {
                    // listen before reading the snapshot, keeping what arrives meanwhile: no update falls in between
                    Sinks.Many<Message<String, String>> early = Sinks.many().unicast().onBackpressureBuffer();
                    Disposable feed = messages.subscribe(early::tryEmitNext, early::tryEmitError,
                            early::tryEmitComplete);
                    return store.find(jobId)
                            .flatMapMany(snapshot -> snapshot.filter(stored -> stored.ownedBy(owner))
                                    .map(stored -> stream(jobId, stored, early.asFlux(), resumeAfter))
                                    .orElseGet(Flux::empty))
                            .doFinally(signal -> feed.dispose());
                });
    }

    private Flux<ServerSentEvent<String>> stream(String jobId, StoredJob snapshot,
                                                 Flux<Message<String, String>> messages, long resumeAfter) {
        Progress progress = new Progress(resumeAfter);
        String jobChannel = JobKeys.updates(jobId);
        // the job's own updates carry its state; a queue change only says "read your position again"
        Flux<StoredJob> changes = messages.concatMap(message -> jobChannel.equals(message.getChannel())
                ? Mono.fromCallable(() -> EventJson.read(message.getMessage(), StoredJob.class))
                : progress.queued ? store.find(jobId).flatMap(Mono::justOrEmpty) : Mono.<StoredJob>empty());
        Sinks.Empty<Void> done = Sinks.empty();
        Flux<ServerSentEvent<String>> data = Flux.concat(Mono.just(snapshot),
                        snapshot.job().terminal() ? Flux.<StoredJob>empty() : changes)
                .takeUntil(stored -> stored.job().terminal())
                .concatMap(stored -> Mono.justOrEmpty(progress.next(stored)))
                .onBackpressureLatest()
                .doFinally(signal -> done.tryEmitEmpty());
        Flux<ServerSentEvent<String>> heartbeats = Flux.interval(properties.heartbeat())
                .onBackpressureDrop()
                .map(tick -> ServerSentEvent.<String>builder().comment("keep-alive").build())
                .takeUntilOther(done.asMono());
        return Flux.merge(data, heartbeats)
                .doOnSubscribe(subscription -> open.incrementAndGet())
                .doFinally(signal -> open.decrementAndGet());
    }

    /** What one stream has told its client; decides what to send next. Used by one subscriber at a time. */
    private static final class Progress {

        private long sentSequence;
        private Integer sentPosition;
        private boolean first = true;
        private volatile boolean queued;

        Progress(long resumeAfter) {
            this.sentSequence = resumeAfter;
        }

        /** The event to send for this state, if any: newer states with their id, position-only changes without. */
        ServerSentEvent<String> next(StoredJob stored) {
            VideoJob job = stored.job();
            boolean isQueued = VideoJob.QUEUED.equals(job.status());
            boolean resumedAtSameState = first && stored.sequence() == sentSequence;
            first = false;
            if (stored.sequence() >= sentSequence) {
                queued = isQueued;
            }
            if (stored.sequence() > sentSequence) {
                sentSequence = stored.sequence();
                sentPosition = job.queuePosition();
                return ServerSentEvent.builder(EventJson.write(job)).id(Long.toString(stored.sequence())).build();
            }
            if (stored.sequence() == sentSequence && isQueued
                    && (resumedAtSameState || !Objects.equals(job.queuePosition(), sentPosition))) {
                sentPosition = job.queuePosition();
                return ServerSentEvent.builder(EventJson.write(job)).build();
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
