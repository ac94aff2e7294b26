package dev.videogen.status.live;

import dev.videogen.events.EventJson;
import dev.videogen.status.fold.JobKeys;
import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/video-jobs/{jobId}/events}: the current state first, then every change, each with its sequence as
 * the SSE id; {@code Last-Event-ID} skips what the client has already seen. Subscribes to the job's channel before
 * reading the snapshot, so no update falls between the two. A slow client only ever gets the latest state.
 */
@RestController
class JobEventsController {

    private final JobStore store;
    private final ReactiveRedisMessageListenerContainer listeners;
    private final LiveProperties properties;

    JobEventsController(JobStore store, ReactiveRedisMessageListenerContainer listeners, LiveProperties properties) {
        this.store = store;
        this.listeners = listeners;
        this.properties = properties;
    }

    @GetMapping(path = "/api/video-jobs/{jobId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> events(@PathVariable String jobId,
                                               @RequestHeader(name = "X-Videogen-Owner", required = false) String owner,
                                               @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        long resumeAfter = parseId(lastEventId);
        return store.findOwned(jobId, owner)
                .then(listeners.receiveLater(ChannelTopic.of(JobKeys.updates(jobId))))
                .flatMapMany(updates -> store.findOwned(jobId, owner).flatMapMany(snapshot -> stream(snapshot, updates
                        .map(message -> EventJson.read(message.getMessage(), StoredJob.class)), resumeAfter)));
    }

    private Flux<ServerSentEvent<String>> stream(StoredJob snapshot, Flux<StoredJob> updates, long resumeAfter) {
        AtomicLong sent = new AtomicLong(resumeAfter);
        boolean sendSnapshot = resumeAfter == 0 || snapshot.sequence() > resumeAfter;
        Flux<StoredJob> changes = Flux.concat(sendSnapshot ? Mono.just(snapshot) : Mono.<StoredJob>empty(),
                        snapshot.job().terminal() ? Flux.<StoredJob>empty() : updates.onBackpressureLatest())
                .filter(stored -> stored == snapshot || stored.sequence() > sent.get())
                .doOnNext(stored -> sent.set(Math.max(sent.get(), stored.sequence())))
                .takeUntil(stored -> stored.job().terminal());
        Sinks.Empty<Void> done = Sinks.empty();
        Flux<ServerSentEvent<String>> data = changes
                .map(stored -> ServerSentEvent.builder(EventJson.write(stored.job()))
                        .id(Long.toString(stored.sequence())).build())
                .doFinally(signal -> done.tryEmitEmpty());
        Flux<ServerSentEvent<String>> heartbeats = Flux.interval(properties.heartbeat())
                .map(tick -> ServerSentEvent.<String>builder().comment("keep-alive").build())
                .takeUntilOther(done.asMono());
        return Flux.merge(data, heartbeats);
    }

    private static long parseId(String lastEventId) {
        if (lastEventId == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(lastEventId.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
