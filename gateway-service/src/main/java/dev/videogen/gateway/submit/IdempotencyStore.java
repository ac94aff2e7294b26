package dev.videogen.gateway.submit;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;
import dev.videogen.web.Problems;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * {@code Idempotency-Key}: the first submission with a key claims it for 24 h (per owner) together with a
 * fingerprint of its body; a repeat with the same body gets the original job and starts nothing, a repeat with a
 * different body is a 422. A claim whose submission failed is released so the client can retry.
 */
@Component
class IdempotencyStore {

    static final Duration TTL = Duration.ofHours(24);
    private static final int MAX_KEY_LENGTH = 200;

    record Claim(String fingerprint, VideoJob job) {
    }

    private final ReactiveStringRedisTemplate redis;

    IdempotencyStore(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    /** Empty when this submission now owns the key; otherwise the original job (same body) or a 422 problem. */
    Mono<Optional<VideoJob>> claim(String ownerId, String key, String fingerprint, VideoJob job) {
        String redisKey = redisKey(ownerId, key);
        String value = EventJson.write(new Claim(fingerprint, job));
        return redis.opsForValue().setIfAbsent(redisKey, value, TTL).flatMap(claimed -> claimed
                ? Mono.just(Optional.<VideoJob>empty())
                : redis.opsForValue().get(redisKey).map(existing -> {
                    Claim original = EventJson.read(existing, Claim.class);
                    if (!original.fingerprint().equals(fingerprint)) {
                        throw Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
                                "Idempotency-Key reused", "This Idempotency-Key was already used with a different request.");
                    }
                    return Optional.of(original.job());
                }));
    }

    Mono<Void> release(String ownerId, String key) {
        return redis.delete(redisKey(ownerId, key)).then();
    }

    static void checkKey(String key) {
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7E)) {
            throw Problems.invalidInput("Idempotency-Key must be 1 to 200 visible ASCII characters.");
        }
    }

    static String fingerprint(SubmissionValidator.Submission submission) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(submission.image());
            digest.update(EventJson.write(submission.params()).getBytes(StandardCharsets.UTF_8));
            digest.update(submission.prompt().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String redisKey(String ownerId, String key) {
        return "videogen:idempotency:" + ownerId + ":" + key;
    }
}
