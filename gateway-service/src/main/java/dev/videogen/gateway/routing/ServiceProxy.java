package dev.videogen.gateway.routing;

import dev.videogen.gateway.owner.Owner;
import dev.videogen.web.Problems;
import io.micrometer.common.KeyValue;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Streams a request to an internal service and its answer back, chunk by chunk (SSE and video bytes are never
 * buffered whole). The caller's owner goes along in {@link Owner#HEADER}; whatever the caller sent there is dropped.
 */
@Component
class ServiceProxy implements DisposableBean {

    private static final List<String> REQUEST_HEADERS = List.of(HttpHeaders.ACCEPT, HttpHeaders.RANGE, HttpHeaders.IF_RANGE,
            HttpHeaders.IF_NONE_MATCH, HttpHeaders.IF_MODIFIED_SINCE, HttpHeaders.IF_MATCH, HttpHeaders.IF_UNMODIFIED_SINCE,
            HttpHeaders.CONTENT_TYPE, "Last-Event-ID",
            "traceparent");
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
            "proxy-connection", "te", "trailer");

    private final ConnectionProvider connections;
    private final WebClient client;

    /**
     * Its own connection pool: an event stream holds its upstream connection for as long as the client listens, so
     * the default pool (500 connections) let the 501st stream wait and then fail (measured with 1,000 streams).
     */
    ServiceProxy(WebClient.Builder builder, RoutesProperties routes) {
        this.connections = ConnectionProvider.builder("videogen-proxy")
                .maxConnections(routes.maxConnections())
                .build();
        this.client = builder.clone()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
                .observationConvention(new RouteTags())
                .build();
    }

    @Override
    public void destroy() {
        connections.dispose();
    }

    /**
     * The {@code uri} tag of {@code http.client.requests} names the route, never the job in it: the forwarded path
     * is not a template, so the default tag would be the whole path, one time series per job.
     */
    static final class RouteTags extends DefaultClientRequestObservationConvention {

        private static final Pattern JOB_SEGMENT = Pattern.compile("^(/api/video-(?:jobs|blob))/[^/?]+");

        @Override
        protected KeyValue uri(ClientRequestObservationContext context) {
            ClientRequest request = context.getRequest();
            if (request == null) {
                return KeyValue.of("uri", "none");
            }
            return KeyValue.of("uri", route(request.url().getRawPath()));
        }

        static String route(String path) {
            return path == null || path.isEmpty() ? "none" : JOB_SEGMENT.matcher(path).replaceFirst("$1/{jobId}");
        }
    }

    private static boolean isEventStream(Optional<MediaType> type) {
        return type.filter(MediaType.TEXT_EVENT_STREAM::isCompatibleWith).isPresent();
    }

    Mono<Void> forward(ServerWebExchange exchange, String baseUrl) {
        ServerHttpRequest request = exchange.getRequest();
        String query = request.getURI().getRawQuery();
        String target = baseUrl + request.getPath().value() + (query == null ? "" : "?" + query);
        HttpMethod method = request.getMethod();
        WebClient.RequestBodySpec spec = client.method(method).uri(target).headers(headers -> {
            for (String name : REQUEST_HEADERS) {
                List<String> values = request.getHeaders().get(name);
                if (values != null) {
                    headers.put(name, values);
                }
            }
            headers.set(Owner.HEADER, Owner.of(exchange));
        });
        if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
            spec.body(BodyInserters.fromDataBuffers(request.getBody()));
        }
        ServerHttpResponse response = exchange.getResponse();
        return spec.exchangeToMono(upstream -> {
                    response.setStatusCode(upstream.statusCode());
                    upstream.headers().asHttpHeaders().forEach((name, values) -> {
                        if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                            response.getHeaders().put(name, values);
                        }
                    });
                    Flux<DataBuffer> body = upstream.bodyToFlux(DataBuffer.class);
                    // an event stream goes out event by event; any other body (a video above all) in the writes the
                    // connection takes, flushed when the upstream has no more at hand, not one flush per chunk
                    return isEventStream(upstream.headers().contentType()) ? response.writeAndFlushWith(body.map(Flux::just))
                            : response.writeWith(body);
                })
                .onErrorMap(WebClientRequestException.class, e -> Problems.of(HttpStatus.SERVICE_UNAVAILABLE,
                        "service-unavailable", "Service unavailable",
                        "A backing service is not reachable right now; please try again shortly."));
    }
}
