package dev.videogen.status.live;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;
import dev.videogen.status.fold.JobKeys;
import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one Redis subscription of this replica for live updates: every job's channel (a pattern) and the queue
 * channel, dispatched in-process to the streams open here. A stream registers before it reads its snapshot, so no
 * update falls in between; an update is read and serialized once ({@link JobUpdate}) and handed to every stream of
 * its job; jobs nobody watches here cost a map look-up. When the queue moves, the positions of the queued jobs
 * watched here are read again once per job (not once per stream), one refresh at a time.
 */
@Component
class JobUpdatesListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobUpdatesListener.class);
    private static final String PREFIX = JobKeys.updates("");
    /** Up to this many queued jobs watched here, their positions are read one by one; beyond, the whole queue. */
    private static final int FEW = 16;

    private final ReactiveRedisMessageListenerContainer container;
    private final JobStore store;
    private final Counter serialized;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean queueMoved = new AtomicBoolean();
    private Disposable subscription;

    JobUpdatesListener(ReactiveRedisMessageListenerContainer container, JobStore store, MeterRegistry meters) {
        this.container = container;
        this.store = store;
        this.serialized = Counter.builder("videogen.sse.updates.serialized")
                .description("Job states serialized for live streams (once per change, whatever the stream count)")
                .register(meters);
    }

    /** One stream's interest in one job; updates are buffered until the stream takes them. */
    final class Subscriber implements AutoCloseable {

        private final String jobId;
        private final Sinks.Many<JobUpdate> sink = Sinks.many().unicast().onBackpressureBuffer();

        private Subscriber(String jobId) {
            this.jobId = jobId;
        }

        /** Serialized: the Redis thread and a position refresh may both deliver. */
        private synchronized void offer(JobUpdate update) {
            sink.tryEmitNext(update);
        }

        Flux<JobUpdate> updates() {
            return sink.asFlux();
        }

        /** Makes the stream's snapshot known to the position refresh, unless a newer state is known already. */
        JobUpdate snapshot(StoredJob snapshot) {
            Watch watch = watches.get(jobId);
            JobUpdate update = JobUpdate.of(snapshot);
            if (watch != null) {
                synchronized (watch) {
                    if (watch.latest == null || watch.latest.sequence() < snapshot.sequence()) {
                        watch.latest = update;
                    }
                }
            }
            return update;
        }

        @Override
        public void close() {
            watches.computeIfPresent(jobId, (id, watch) -> {
                watch.subscribers.remove(this);
                return watch.subscribers.isEmpty() ? null : watch;
            });
            sink.tryEmitComplete();
        }
    }

    private static final class Watch {
        final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
        JobUpdate latest; // guarded by this
    }

    /** Registers a stream for a job's updates from now on. */
    Subscriber subscribe(String jobId) {
        Subscriber subscriber = new Subscriber(jobId);
        watches.compute(jobId, (id, watch) -> {
            Watch w = watch == null ? new Watch() : watch;
            w.subscribers.add(subscriber);
            return w;
        });
        return subscriber;
    }

    /** Jobs watched on this replica (for tests and diagnostics). */
    int watchedJobs() {
        return watches.size();
    }

    /** One message from Redis: a job's new state on its channel, or news that the queue moved. */
    void onMessage(String channel, String message) {
        if (JobKeys.QUEUE_CHANGES.equals(channel)) {
            refreshPositions();
            return;
        }
        if (!channel.startsWith(PREFIX)) {
            return;
        }
        Watch watch = watches.get(channel.substring(PREFIX.length()));
        if (watch == null) {
            return;
        }
        StoredJob stored = EventJson.read(message, StoredJob.class);
        JobUpdate update;
        synchronized (watch) {
            // a redelivered state may carry a new position, so an equal sequence is passed on; streams drop repeats
            if (watch.latest != null && stored.sequence() < watch.latest.sequence()) {
                return;
            }
            update = serialize(stored);
            watch.latest = update;
        }
        watch.subscribers.forEach(subscriber -> subscriber.offer(update));
    }

    private JobUpdate serialize(StoredJob stored) {
        serialized.increment();
        return JobUpdate.of(stored);
    }

    private void refreshPositions() {
        queueMoved.set(true);
        if (!refreshing.compareAndSet(false, true)) {
            return; // the running refresh goes round once more
        }
        queueMoved.set(false);
        List<String> queued = watches.entrySet().stream()
                .filter(entry -> {
                    synchronized (entry.getValue()) {
                        return entry.getValue().latest != null && entry.getValue().latest.queued();
                    }
                })
                .map(Map.Entry::getKey)
                .toList();
        // a few jobs: their ranks; many: the whole queue in one read (one command either way per job or per refresh)
        Flux<Map.Entry<String, Integer>> positions = queued.size() <= FEW
                ? Flux.fromIterable(queued).flatMap(jobId -> store.queuePosition(jobId).map(p -> Map.entry(jobId, p)))
                : store.queue().flatMapIterable(order -> {
                    List<Map.Entry<String, Integer>> found = new ArrayList<>();
                    for (int i = 0; i < order.size(); i++) {
                        if (watches.containsKey(order.get(i))) {
                            found.add(Map.entry(order.get(i), i + 1));
                        }
                    }
                    return found;
                });
        positions.doOnNext(entry -> moved(entry.getKey(), entry.getValue()))
                .doFinally(signal -> {
                    refreshing.set(false);
                    if (queueMoved.get()) {
                        refreshPositions();
                    }
                })
                .subscribe(entry -> { }, e -> log.debug("queue positions not refreshed: {}", e.getMessage()));
    }

    private void moved(String jobId, int position) {
        Watch watch = watches.get(jobId);
        if (watch == null) {
            return;
        }
        JobUpdate update;
        synchronized (watch) {
            JobUpdate latest = watch.latest;
            if (latest == null || !latest.queued() || Integer.valueOf(position).equals(latest.queuePosition())) {
                return;
            }
            VideoJob job = latest.stored().job();
            update = serialize(new StoredJob(latest.stored().ownerId(), latest.sequence(), new VideoJob(job.jobId(),
                    job.status(), job.progress(), job.stage(), position, job.etaSeconds(), job.prompt(),
                    job.imageUrl(), job.videoUrl(), job.posterUrl(), job.error(), job.createdAt(), job.updatedAt())));
            watch.latest = update;
        }
        watch.subscribers.forEach(subscriber -> subscriber.offer(update));
    }

    @Override
    public synchronized void start() {
        CountDownLatch subscribed = new CountDownLatch(1);
        subscription = container.receiveLater(
                        List.of(PatternTopic.of(PREFIX + "*"), ChannelTopic.of(JobKeys.QUEUE_CHANGES)),
                        SerializationPair.fromSerializer(RedisSerializer.string()),
                        SerializationPair.fromSerializer(RedisSerializer.string()))
                .doOnNext(messages -> subscribed.countDown())
                .flatMapMany(messages -> messages)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(retry -> log.warn("live updates subscription lost ({}); subscribing again",
                                retry.failure().getMessage())))
                .subscribe(message -> {
                    try {
                        onMessage(message.getChannel(), message.getMessage());
                    } catch (RuntimeException e) {
                        log.warn("skipping an unreadable live update on {}: {}", message.getChannel(), e.getMessage());
                    }
                });
        try {
            if (!subscribed.await(10, TimeUnit.SECONDS)) {
                log.warn("live updates not subscribed yet (Redis away?); streams see changes once it is");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Before the web server takes streams, after it has let them go. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public synchronized void stop() {
        if (subscription != null) {
            subscription.dispose();
            subscription = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return subscription != null;
    }
}
