package dev.videogen.status.live;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;
import dev.videogen.status.fold.JobKeys;
import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
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
 * <p>
 * Pub/sub keeps nothing for a subscriber that is away: when the connection is lost, Lettuce reconnects and
 * subscribes again, and once Redis confirms it every job watched here is read again and its streams get the state if
 * it is newer than what they were given (never an older one, never an id twice), so a change announced meanwhile is
 * not lost. The subscription is a Lettuce connection of its own (its listener is told of every confirmation).
 */
@Component
class JobUpdatesListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobUpdatesListener.class);
    private static final String PREFIX = JobKeys.updates("");
    /** Up to this many queued jobs watched here, their positions are read one by one; beyond, the whole queue. */
    private static final int FEW = 16;

    private static final String PATTERN = PREFIX + "*";

    private final RedisConnectionFactory connections;
    private final JobStore store;
    private final Counter serialized;
    private final Counter resubscriptions;
    private final Counter caughtUp;
    /** Channels and patterns Redis confirmed at least once: a second confirmation follows a lost connection. */
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean queueMoved = new AtomicBoolean();
    private Disposable subscription;
    private volatile StatefulRedisPubSubConnection<String, String> connection;

    JobUpdatesListener(RedisConnectionFactory connections, JobStore store, MeterRegistry meters) {
        this.connections = connections;
        this.store = store;
        this.serialized = Counter.builder("videogen.sse.updates.serialized")
                .description("Job states serialized for live streams (once per change, whatever the stream count)")
                .register(meters);
        this.resubscriptions = Counter.builder("videogen.sse.resubscriptions")
                .description("Times the live updates subscription came back after a loss of its Redis connection")
                .register(meters);
        this.caughtUp = Counter.builder("videogen.sse.caught.up")
                .description("Job states re-read after the subscription came back that were newer than their streams had")
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
            return; // nobody watches this job here: not even parsed
        }
        offer(watch, EventJson.read(message, StoredJob.class), true);
    }

    /**
     * Hands a state to the streams of its job unless they were given a newer one (or, without {@code same}, the same
     * one). A redelivered state may carry a new position, so from pub/sub an equal sequence is passed on; streams
     * drop repeats. Returns whether it was passed on.
     */
    private boolean offer(Watch watch, StoredJob stored, boolean same) {
        JobUpdate update;
        synchronized (watch) {
            if (watch.latest != null && (stored.sequence() < watch.latest.sequence()
                    || !same && stored.sequence() == watch.latest.sequence())) {
                return false;
            }
            update = serialize(stored);
            watch.latest = update;
        }
        watch.subscribers.forEach(subscriber -> subscriber.offer(update));
        return true;
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

    /**
     * Connects the replica's one subscription; until Redis answers, tries again in the background (streams need
     * Redis for their snapshot anyway). Once connected, Lettuce reconnects by itself and subscribes again after a
     * loss; every confirmed subscription (the first one too) makes the streams catch up ({@link #subscribed}).
     */
    @Override
    public synchronized void start() {
        CountDownLatch connected = new CountDownLatch(1);
        RedisClient client = (RedisClient) ((LettuceConnectionFactory) connections).getRequiredNativeClient();
        subscription = Mono.fromCallable(() -> {
                    StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub(StringCodec.UTF8);
                    pubSub.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            receive(channel, message);
                        }

                        @Override
                        public void message(String pattern, String channel, String message) {
                            receive(channel, message);
                        }

                        @Override
                        public void subscribed(String channel, long count) {
                            JobUpdatesListener.this.subscribed(channel);
                        }

                        @Override
                        public void psubscribed(String pattern, long count) {
                            JobUpdatesListener.this.subscribed(pattern);
                        }
                    });
                    try {
                        pubSub.sync().subscribe(JobKeys.QUEUE_CHANGES);
                        pubSub.sync().psubscribe(PATTERN);
                    } catch (RuntimeException e) {
                        pubSub.close();
                        throw e;
                    }
                    return pubSub;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(retry -> log.warn("live updates not subscribed ({}); trying again",
                                retry.failure().getMessage())))
                .subscribe(pubSub -> {
                    connection = pubSub;
                    connected.countDown();
                });
        try {
            if (!connected.await(10, TimeUnit.SECONDS)) {
                log.warn("live updates not subscribed yet (Redis away?); streams see changes once it is");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void receive(String channel, String message) {
        try {
            onMessage(channel, message);
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable live update on {}: {}", channel, e.getMessage());
        }
    }

    /**
     * Redis confirmed a subscription: the first, or the same one again after Lettuce reconnected. Whatever was
     * announced while it was away is lost to pub/sub, so the streams here catch up from Redis itself: the jobs
     * re-read once each (job pattern), the queue positions refreshed (queue channel). Runs after the subscription
     * is back, so a change is either read here or announced after it.
     */
    void subscribed(String channelOrPattern) {
        boolean again = !confirmed.add(channelOrPattern);
        if (again) {
            log.info("live updates subscribed again to {}: streams catch up from the read model", channelOrPattern);
        }
        if (PATTERN.equals(channelOrPattern)) {
            if (again) {
                resubscriptions.increment();
            }
            catchUp();
        } else if (JobKeys.QUEUE_CHANGES.equals(channelOrPattern)) {
            refreshPositions();
        }
    }

    /** Reads every job watched here again and passes on what is newer than what its streams were given. */
    void catchUp() {
        List<String> jobs = List.copyOf(watches.keySet());
        if (jobs.isEmpty()) {
            return;
        }
        Flux.fromIterable(jobs)
                .flatMap(jobId -> store.find(jobId).flatMap(Mono::justOrEmpty), 32)
                .subscribe(stored -> {
                    Watch watch = watches.get(stored.job().jobId());
                    if (watch != null && offer(watch, stored, false)) {
                        caughtUp.increment();
                    }
                }, e -> log.warn("live streams did not catch up after the subscription came back: {}",
                        e.getMessage()));
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
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return subscription != null;
    }
}
