package dev.videogen.media.delivery;

import dev.videogen.media.storage.MediaStore.ObjectInfo;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The object store here is a list of requests answered by hand, so the test decides when each answer comes. */
class SharedStatsTest {

    private static final ObjectInfo INFO = new ObjectInfo(42, "\"etag\"", Instant.parse("2026-11-26T07:00:00Z"),
            "video/mp4");

    private final List<String> asked = new ArrayList<>();
    private final List<Sinks.One<Optional<ObjectInfo>>> answers = new ArrayList<>();
    private final SharedStats stats = new SharedStats(key -> {
        Sinks.One<Optional<ObjectInfo>> answer = Sinks.one();
        asked.add(key);
        answers.add(answer);
        return answer.asMono();
    });

    @Test
    void requestsAtTheSameTimeShareOneAnswer() {
        AtomicReference<Optional<ObjectInfo>> first = new AtomicReference<>();
        AtomicReference<Optional<ObjectInfo>> second = new AtomicReference<>();
        stats.stat("a.mp4").subscribe(first::set);
        stats.stat("a.mp4").subscribe(second::set);

        assertThat(asked).containsExactly("a.mp4");
        answers.get(0).tryEmitValue(Optional.of(INFO));

        assertThat(first.get()).contains(INFO);
        assertThat(second.get()).contains(INFO);
        assertThat(stats.underWay()).isZero();
    }

    @Test
    void aRequestAfterTheAnswerAsksAgain() {
        stats.stat("a.mp4").subscribe();
        answers.get(0).tryEmitValue(Optional.of(INFO));

        AtomicReference<Optional<ObjectInfo>> later = new AtomicReference<>();
        stats.stat("a.mp4").subscribe(later::set);

        assertThat(asked).containsExactly("a.mp4", "a.mp4");
        assertThat(later.get()).as("not the earlier answer").isNull();
        answers.get(1).tryEmitValue(Optional.empty());
        assertThat(later.get()).isEmpty();
    }

    @Test
    void differentObjectsAreAskedSeparately() {
        stats.stat("a.mp4").subscribe();
        stats.stat("b.mp4").subscribe();

        assertThat(asked).containsExactly("a.mp4", "b.mp4");
    }

    @Test
    void anErrorReachesEveryWaitingRequestAndIsNotKept() {
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Throwable> second = new AtomicReference<>();
        stats.stat("a.mp4").subscribe(v -> { }, first::set);
        stats.stat("a.mp4").subscribe(v -> { }, second::set);
        IllegalStateException down = new IllegalStateException("store down");
        answers.get(0).tryEmitError(down);

        assertThat(first.get()).isSameAs(down);
        assertThat(second.get()).isSameAs(down);
        assertThat(stats.underWay()).isZero();
        AtomicReference<Optional<ObjectInfo>> retry = new AtomicReference<>();
        stats.stat("a.mp4").subscribe(retry::set);
        answers.get(1).tryEmitValue(Optional.of(INFO));
        assertThat(retry.get()).contains(INFO);
    }

    @Test
    void aRequestThatGoesAwayLeavesTheAnswerToTheOthers() {
        Disposable gone = stats.stat("a.mp4").subscribe();
        AtomicReference<Optional<ObjectInfo>> stays = new AtomicReference<>();
        stats.stat("a.mp4").subscribe(stays::set);

        gone.dispose();
        answers.get(0).tryEmitValue(Optional.of(INFO));

        assertThat(asked).hasSize(1);
        assertThat(stays.get()).contains(INFO);
    }

    @Test
    void nothingIsAskedUntilSomeoneSubscribes() {
        Mono<Optional<ObjectInfo>> notYet = stats.stat("a.mp4");

        assertThat(asked).isEmpty();
        notYet.subscribe();
        assertThat(asked).containsExactly("a.mp4");
    }
}
