package dev.videogen.media.delivery;

import dev.videogen.media.storage.MediaStore.ObjectInfo;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Asks the object store about an object once for all the requests that want to know at the same time: a player's
 * ranges, or many viewers of one video, arriving while its cached copy is due for revalidation (or while it is not
 * cached yet) would otherwise each send the store a request of their own. Every request waiting when the answer
 * comes gets it (an error too); the next request after that asks again, so nothing is remembered beyond one
 * request's time in flight. A request that goes away does not take the answer from the others.
 */
final class SharedStats {

    private final Function<String, Mono<Optional<ObjectInfo>>> stat;
    /** Key to the request under way for it; removed when that request ends, however it ends. */
    private final Map<String, Mono<Optional<ObjectInfo>>> underWay = new ConcurrentHashMap<>();

    SharedStats(Function<String, Mono<Optional<ObjectInfo>>> stat) {
        this.stat = stat;
    }

    Mono<Optional<ObjectInfo>> stat(String key) {
        return Mono.defer(() -> underWay.computeIfAbsent(key, this::ask));
    }

    int underWay() {
        return underWay.size();
    }

    private Mono<Optional<ObjectInfo>> ask(String key) {
        AtomicReference<Mono<Optional<ObjectInfo>>> self = new AtomicReference<>();
        // the removal runs once the answer has reached every request waiting for it; cache() shares that one answer
        Mono<Optional<ObjectInfo>> shared = stat.apply(key)
                .doFinally(signal -> underWay.remove(key, self.get()))
                .cache();
        self.set(shared);
        return shared;
    }
}
