package dev.videogen.media.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Asks the read model (the status service's Redis hash {@code videogen:job:{jobId}}) whether the caller owns the job
 * and it is not deleted. A missing hash or owner field means no.
 * <p>
 * A yes is remembered in this process for {@code videogen.media.owner-cache.ttl} (default 5 s; 0 turns it off), so
 * the many requests of one viewer (a player's ranges, a page's video and poster) cost one Redis round trip per TTL
 * instead of one each. This is safe because of what can change in the hash: a job's owner never changes once
 * written, and the only way a yes becomes a no is the deletion of the job, which the gateway performs by marking the
 * job deleted in the read model (status service) and then calling {@code DELETE /internal/media/{jobId}} here, which
 * calls {@link #forget}. So on the replica that receives the delete, the job is refused at once; another replica
 * may still serve that job <em>to its own owner</em> (the one who just deleted it) until its remembered yes expires,
 * i.e. for at most the TTL after the delete. No is never remembered: a job the read model does not know yet is found
 * as soon as it does, and another owner is always refused by Redis itself.
 */
@Component
public class OwnershipCheck {

    private static final Mono<Boolean> YES = Mono.just(Boolean.TRUE);
    private static final Mono<Boolean> NO = Mono.just(Boolean.FALSE);
    private static final List<String> FIELDS = List.of("owner", "deleted");

    private final ReactiveStringRedisTemplate redis;
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    /** jobId to its owner's remembered yes. */
    private final Map<String, Owned> owned = new ConcurrentHashMap<>();
    /** Incremented by every {@link #forget}: a look-up that overlapped one does not remember its answer. */
    private final AtomicLong forgets = new AtomicLong();
    private final Counter remembered;
    private final Counter asked;

    private record Owned(String owner, long expiresAt) {
    }

    @Autowired
    OwnershipCheck(ReactiveStringRedisTemplate redis, MeterRegistry meters,
                   @Value("${videogen.media.owner-cache.ttl:5s}") Duration ttl,
                   @Value("${videogen.media.owner-cache.max-entries:10000}") int maxEntries) {
        this(redis, meters, ttl, maxEntries, System::nanoTime);
    }

    OwnershipCheck(ReactiveStringRedisTemplate redis, MeterRegistry meters, Duration ttl, int maxEntries,
                   LongSupplier nanoTime) {
        this.redis = redis;
        this.ttlNanos = Math.max(0, ttl.toNanos());
        this.maxEntries = Math.max(1, maxEntries);
        this.nanoTime = nanoTime;
        this.remembered = Counter.builder("videogen.media.owner.checks").tag("source", "remembered")
                .description("Owner checks of media requests, answered from this process's memory or by Redis")
                .register(meters);
        this.asked = Counter.builder("videogen.media.owner.checks").tag("source", "redis")
                .description("Owner checks of media requests, answered from this process's memory or by Redis")
                .register(meters);
    }

    Mono<Boolean> owns(String ownerId, String jobId) {
        if (ownerId == null || ownerId.isBlank()) {
            return NO;
        }
        if (ttlNanos > 0) {
            Owned known = owned.get(jobId);
            if (known != null && known.owner().equals(ownerId)) {
                if (known.expiresAt() - nanoTime.getAsLong() > 0) {
                    remembered.increment();
                    return YES;
                }
                owned.remove(jobId, known);
            }
        }
        asked.increment();
        long generation = forgets.get();
        return redis.<String, String>opsForHash().multiGet("videogen:job:" + jobId, FIELDS)
                .map(values -> {
                    boolean yes = ownerId.equals(values.get(0)) && !"1".equals(values.get(1));
                    if (yes) {
                        remember(jobId, ownerId, generation);
                    }
                    return yes;
                })
                .defaultIfEmpty(false);
    }

    /** The job was deleted: the next request for it asks Redis again (which says no). */
    public void forget(String jobId) {
        forgets.incrementAndGet();
        owned.remove(jobId);
    }

    int remembered() {
        return owned.size();
    }

    private void remember(String jobId, String ownerId, long generation) {
        if (ttlNanos == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (owned.size() >= maxEntries) {
            owned.values().removeIf(o -> o.expiresAt() - now <= 0);
            if (owned.size() >= maxEntries) {
                owned.clear(); // many viewers at once: start over rather than track recency
            }
        }
        Owned entry = new Owned(ownerId, now + ttlNanos);
        owned.put(jobId, entry);
        // forget() increments, then removes: either it removed this entry after the put, or we see its increment here
        if (forgets.get() != generation) {
            owned.remove(jobId, entry);
        }
    }
}
