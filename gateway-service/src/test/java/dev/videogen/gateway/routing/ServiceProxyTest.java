package dev.videogen.gateway.routing;

import dev.videogen.gateway.owner.Owner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The proxy against a real HTTP server that answers every request with an event stream that stays open. */
class ServiceProxyTest {

    private static final int STREAMS = 600; // more than reactor-netty's default pool of 500 connections

    private final AtomicInteger upstreamStreams = new AtomicInteger();
    private final List<Disposable> downstream = new ArrayList<>();
    private DisposableServer upstream;
    private ServiceProxy proxy;

    @AfterEach
    void stop() {
        downstream.forEach(Disposable::dispose);
        if (proxy != null) {
            proxy.destroy();
        }
        if (upstream != null) {
            upstream.disposeNow();
        }
    }

    @Test
    void manyEventStreamsAreCarriedAtOnceEachOnItsOwnUpstreamConnection() {
        upstream = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    upstreamStreams.incrementAndGet();
                    return response.header("Content-Type", "text/event-stream")
                            .sendString(Flux.concat(Mono.just("id:1\ndata:{}\n\n"), Flux.never()),
                                    StandardCharsets.UTF_8);
                })
                .bindNow();
        String base = "http://127.0.0.1:" + upstream.port();
        proxy = new ServiceProxy(WebClient.builder(), new RoutesProperties(base, base, null));

        for (int i = 0; i < STREAMS; i++) {
            MockServerWebExchange exchange = MockServerWebExchange.from(
                    MockServerHttpRequest.get("/api/video-jobs/job-" + i + "/events").header("Accept", "text/event-stream"));
            exchange.getAttributes().put(Owner.class.getName(), "owner-" + i);
            downstream.add(proxy.forward(exchange, base).subscribe());
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> upstreamStreams.get() == STREAMS);
    }
}
