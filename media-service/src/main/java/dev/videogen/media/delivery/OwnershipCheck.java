package dev.videogen.media.delivery;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Asks the read model (the status service's Redis hash {@code videogen:job:{jobId}}) whether the caller owns the job
 * and it is not deleted. A missing hash or owner field means no.
 */
@Component
class OwnershipCheck {

    private final ReactiveStringRedisTemplate redis;

    OwnershipCheck(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    Mono<Boolean> owns(String ownerId, String jobId) {
        if (ownerId == null || ownerId.isBlank()) {
            return Mono.just(false);
        }
        return redis.<String, String>opsForHash().multiGet("videogen:job:" + jobId, List.of("owner", "deleted"))
                .map(values -> ownerId.equals(values.get(0)) && !"1".equals(values.get(1)))
                .defaultIfEmpty(false);
    }
}
