package dev.videogen.gateway.submit;

import dev.videogen.web.Problems;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;

/**
 * Submissions per owner per minute, counted in Redis so the limit holds across gateway replicas (fixed one-minute
 * windows). Over the limit: 429 with Retry-After until the window ends.
 */
@Component
class RateLimiter {

    private final ReactiveStringRedisTemplate redis;
    private final int perMinute;
    private final Clock clock;

    RateLimiter(ReactiveStringRedisTemplate redis, SubmitProperties properties) {
        this.redis = redis;
        this.perMinute = properties.rateLimitPerMinute();
        this.clock = Clock.systemUTC();
    }

    Mono<Void> admit(String ownerId) {
        long nowSeconds = clock.instant().getEpochSecond();
        long window = nowSeconds / 60;
        String key = "videogen:ratelimit:" + ownerId + ":" + window;
        return redis.opsForValue().increment(key)
                .flatMap(count -> count == 1 ? redis.expire(key, Duration.ofSeconds(61)).thenReturn(count) : Mono.just(count))
                .flatMap(count -> count <= perMinute ? Mono.<Void>empty()
                        : Mono.error(tooMany((window + 1) * 60 - nowSeconds)));
    }

    private ErrorResponseException tooMany(long retryAfterSeconds) {
        ErrorResponseException e = Problems.of(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                "You can submit " + perMinute + " videos a minute; try again in " + retryAfterSeconds + " s.");
        e.getHeaders().set("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)));
        return e;
    }
}
