package dev.videogen.media.delivery;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

import java.util.Map;

/**
 * The fast path of the hot requests, {@code GET} and {@code HEAD} of {@code /api/video-blob/{jobId}} and
 * {@code .../poster}: they go straight to {@link MediaController} from here instead of through the dispatcher's
 * handler look-up and annotated-method invocation, which cost as much per request as the rest of a small response.
 * Behaviour is the same: the paths match with the same patterns (path variables decoded as the dispatcher does),
 * errors reach the same problem+json handler, the request metrics keep their {@code uri} tag (the pattern is given to
 * the observation as a handler mapping would), and every other method on these paths (405 with Allow, OPTIONS)
 * still goes through the dispatcher to the controller's mappings.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class MediaRoute implements WebFilter {

    static final String PREFIX = "/api/video-blob/";

    private static final PathPattern VIDEO = PathPatternParser.defaultInstance.parse("/api/video-blob/{jobId}");
    private static final PathPattern POSTER = PathPatternParser.defaultInstance.parse("/api/video-blob/{jobId}/poster");

    private final MediaController media;

    MediaRoute(MediaController media) {
        this.media = media;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpMethod method = exchange.getRequest().getMethod();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            return chain.filter(exchange);
        }
        PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
        if (!path.value().startsWith(PREFIX)) {
            return chain.filter(exchange);
        }
        PathPattern.PathMatchInfo match = VIDEO.matchAndExtract(path);
        PathPattern pattern = VIDEO;
        if (match == null) {
            match = POSTER.matchAndExtract(path);
            pattern = POSTER;
        }
        if (match == null) {
            return chain.filter(exchange);
        }
        Map<String, String> variables = match.getUriVariables();
        Map<String, Object> attributes = exchange.getAttributes();
        attributes.put(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, pattern);
        attributes.put(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE, variables);
        String patternString = pattern.getPatternString();
        ServerRequestObservationContext.findCurrent(attributes).ifPresent(c -> c.setPathPattern(patternString));
        String jobId = variables.get("jobId");
        return pattern == VIDEO ? media.video(jobId, exchange) : media.poster(jobId, exchange);
    }
}
