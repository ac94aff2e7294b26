package dev.videogen.gateway.routing;

import dev.videogen.gateway.owner.Owner;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    @Test
    void anEventReachesTheClientWhileItsStreamStaysOpenAndAVideoArrivesWhole() throws Exception {
        byte[] video = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(video);
        upstream = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/api/video-jobs/job-1/events", (request, response) -> response
                                .header("Content-Type", "text/event-stream")
                                .sendString(Flux.concat(Mono.just("id:1\ndata:{}\n\n"), Flux.never()), StandardCharsets.UTF_8))
                        .get("/api/video-blob/job-1", (request, response) -> response
                                .header("Content-Type", "video/mp4").header("Content-Length", Integer.toString(video.length))
                                .send(Flux.range(0, (video.length + 65_535) / 65_536).map(i -> Unpooled.wrappedBuffer(
                                        video, i * 65_536, Math.min(65_536, video.length - i * 65_536))))))
                .bindNow();
        String base = "http://127.0.0.1:" + upstream.port();
        proxy = new ServiceProxy(WebClient.builder(), new RoutesProperties(base, base, null));
        HttpHandler gateway = org.springframework.web.server.adapter.WebHttpHandlerBuilder
                .webHandler(exchange -> {
                    exchange.getAttributes().put(Owner.class.getName(), "owner-1");
                    return proxy.forward(exchange, base);
                }).build();
        DisposableServer front = HttpServer.create().host("127.0.0.1").port(0)
                .handle(new ReactorHttpHandlerAdapter(gateway)).bindNow();
        try {
            HttpClient client = HttpClient.newHttpClient();
            String gatewayUrl = "http://127.0.0.1:" + front.port();
            // the stream never ends: its first event must arrive on its own, flushed, not held for more
            HttpResponse<java.io.InputStream> events = client.send(HttpRequest.newBuilder(
                    URI.create(gatewayUrl + "/api/video-jobs/job-1/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            CompletableFuture<String> firstEvent = CompletableFuture.supplyAsync(() -> {
                try {
                    BufferedReader lines = new BufferedReader(
                            new InputStreamReader(events.body(), StandardCharsets.UTF_8));
                    return lines.readLine() + "|" + lines.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(firstEvent.get(5, TimeUnit.SECONDS)).isEqualTo("id:1|data:{}");
            events.body().close();

            HttpResponse<byte[]> body = client.send(HttpRequest.newBuilder(
                    URI.create(gatewayUrl + "/api/video-blob/job-1")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(body.statusCode()).isEqualTo(200);
            assertThat(body.body()).isEqualTo(video);
        } finally {
            front.disposeNow();
        }
    }
}
