package dev.videogen.media.delivery;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.ReactiveHashOperations;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class OwnershipCheckTest {

    private static final Duration TTL = Duration.ofSeconds(5);

    /** The read model: jobId to [owner, deleted]. */
    private final Map<String, List<String>> jobs = new HashMap<>();
    private final AtomicInteger redisCalls = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000);
    private Runnable duringLookup = () -> { };
    private OwnershipCheck check;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void readModel() {
        ReactiveStringRedisTemplate redis = mock(ReactiveStringRedisTemplate.class);
        ReactiveHashOperations<String, Object, Object> hashes = mock(ReactiveHashOperations.class);
        when(redis.opsForHash()).thenReturn(hashes);
        when(hashes.multiGet(anyString(), any())).thenAnswer(call -> Mono.fromCallable(() -> {
            redisCalls.incrementAndGet();
            String jobId = call.<String>getArgument(0).substring("videogen:job:".length());
            List<Object> answer = (List<Object>) (List<?>) jobs.getOrDefault(jobId, Arrays.asList(null, null));
            duringLookup.run(); // after Redis answered, before the answer is used
            return answer;
        }));
        check = new OwnershipCheck(redis, new SimpleMeterRegistry(), TTL, 3, now::get);
    }

    private boolean owns(String owner, String job) {
        return check.owns(owner, job).block();
    }

    @Test
    void aYesIsRememberedForTheTtlOnly() {
        jobs.put("job-1", Arrays.asList("alice", null));

        assertThat(owns("alice", "job-1")).isTrue();
        now.addAndGet(TTL.toNanos() - 1);
        assertThat(owns("alice", "job-1")).isTrue();
        assertThat(redisCalls).hasValue(1);

        jobs.put("job-1", Arrays.asList("alice", "1")); // deleted in the read model, no forget() here
        now.addAndGet(1);
        assertThat(owns("alice", "job-1")).as("expired: Redis is asked again").isFalse();
        assertThat(redisCalls).hasValue(2);
    }

    @Test
    void forgetRefusesADeletedJobAtOnce() {
        jobs.put("job-1", Arrays.asList("alice", null));
        assertThat(owns("alice", "job-1")).isTrue();

        jobs.put("job-1", Arrays.asList("alice", "1"));
        check.forget("job-1");

        assertThat(owns("alice", "job-1")).isFalse();
        assertThat(owns("alice", "job-1")).isFalse();
        assertThat(redisCalls).hasValue(3);
    }

    @Test
    void aLookUpOverlappingAForgetDoesNotRememberItsYes() {
        jobs.put("job-1", Arrays.asList("alice", null));
        // the read model answered yes, then the job was deleted and forgotten before the answer was remembered
        duringLookup = () -> {
            jobs.put("job-1", Arrays.asList("alice", "1"));
            check.forget("job-1");
        };
        assertThat(owns("alice", "job-1")).isTrue();
        duringLookup = () -> { };

        assertThat(owns("alice", "job-1")).isFalse();
        assertThat(redisCalls).hasValue(2);
    }

    @Test
    void noIsNeverRememberedAndAnotherOwnerIsAlwaysAskedAbout() {
        assertThat(owns("alice", "job-1")).as("not in the read model yet").isFalse();
        jobs.put("job-1", Arrays.asList("alice", null));
        assertThat(owns("alice", "job-1")).as("found as soon as the read model knows it").isTrue();

        assertThat(owns("bob", "job-1")).isFalse();
        assertThat(owns("bob", "job-1")).isFalse();
        assertThat(owns(null, "job-1")).isFalse();
        assertThat(owns(" ", "job-1")).isFalse();
        assertThat(redisCalls).hasValue(4);
    }

    @Test
    void theMemoryIsBounded() {
        for (int i = 0; i < 10; i++) {
            jobs.put("job-" + i, Arrays.asList("alice", null));
            assertThat(owns("alice", "job-" + i)).isTrue();
            assertThat(check.remembered()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void aZeroTtlAsksEveryTime() {
        ReactiveStringRedisTemplate redis = mock(ReactiveStringRedisTemplate.class);
        @SuppressWarnings("unchecked")
        ReactiveHashOperations<String, Object, Object> hashes = mock(ReactiveHashOperations.class);
        when(redis.opsForHash()).thenReturn(hashes);
        when(hashes.multiGet(anyString(), any())).thenAnswer(call -> {
            redisCalls.incrementAndGet();
            return Mono.just(Arrays.<Object>asList("alice", null));
        });
        OwnershipCheck off = new OwnershipCheck(redis, new SimpleMeterRegistry(), Duration.ZERO, 3, now::get);

        assertThat(off.owns("alice", "job-1").block()).isTrue();
        assertThat(off.owns("alice", "job-1").block()).isTrue();
        assertThat(redisCalls).hasValue(2);
        assertThat(off.remembered()).isZero();
    }
}
