package dev.videogen.gateway.routing;

import dev.videogen.gateway.owner.Owner;
import dev.videogen.web.Problems;
import dev.videogen.gateway.storage.UploadStore;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.regex.Pattern;

/** The public paths that other services answer: job status, events and history go to status, bytes go to media. */
@RestController
class RouteController {

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

    private final ServiceProxy proxy;
    private final RoutesProperties routes;
    private final UploadStore uploads;
    private final WebClient status;
    private final WebClient media;

    RouteController(ServiceProxy proxy, RoutesProperties routes, UploadStore uploads, WebClient.Builder builder) {
        this.proxy = proxy;
        this.routes = routes;
        this.uploads = uploads;
        this.status = builder.clone().baseUrl(routes.statusUrl()).build();
        this.media = builder.clone().baseUrl(routes.mediaUrl()).build();
    }

    @GetMapping("/api/video-jobs")
    Mono<Void> list(ServerWebExchange exchange) {
        return proxy.forward(exchange, routes.statusUrl());
    }

    @GetMapping({"/api/video-jobs/{jobId}", "/api/video-jobs/{jobId}/events"})
    Mono<Void> job(@PathVariable String jobId, ServerWebExchange exchange) {
        return checked(jobId).then(proxy.forward(exchange, routes.statusUrl()));
    }

    @PostMapping("/api/video-jobs/{jobId}/cancel")
    Mono<Void> cancel(@PathVariable String jobId, ServerWebExchange exchange) {
        return checked(jobId).then(proxy.forward(exchange, routes.statusUrl()));
    }

    /** Removes the job from history (status service, which checks ownership), then its media (media service). */
    @DeleteMapping("/api/video-jobs/{jobId}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String jobId, ServerWebExchange exchange) {
        return checked(jobId)
                .then(status.delete().uri("/api/video-jobs/{jobId}", jobId)
                        .header(Owner.HEADER, Owner.of(exchange))
                        .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value())))
                .flatMap(code -> {
                    if (code == 404) {
                        return Mono.error(notFound(jobId));
                    }
                    if (code != 204) {
                        return Mono.error(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable",
                                "Service unavailable", "The job could not be deleted right now; please try again."));
                    }
                    return media.delete().uri("/internal/media/{jobId}", jobId).retrieve().toBodilessEntity()
                            .then(Mono.just(ResponseEntity.noContent().<Void>build()));
                });
    }

    @RequestMapping(path = {"/api/video-blob/{jobId}", "/api/video-blob/{jobId}/poster"},
            method = {RequestMethod.GET, RequestMethod.HEAD})
    Mono<Void> media(@PathVariable String jobId, ServerWebExchange exchange) {
        return checked(jobId).then(proxy.forward(exchange, routes.mediaUrl()));
    }

    /** The input image, as uploaded; only its owner may see it (ownership is the status service's to tell). */
    @GetMapping("/api/video-jobs/{jobId}/image")
    Mono<ResponseEntity<byte[]>> image(@PathVariable String jobId, ServerWebExchange exchange) {
        return checked(jobId)
                .then(status.get().uri("/api/video-jobs/{jobId}", jobId)
                        .header(Owner.HEADER, Owner.of(exchange))
                        .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().is2xxSuccessful())))
                .flatMap(owned -> owned ? uploads.get(jobId) : Mono.error(notFound(jobId)))
                .flatMap(image -> image.map(Mono::just).orElseGet(() -> Mono.error(notFound(jobId))))
                .map(image -> ResponseEntity.ok()
                        .contentType(MediaType.parseMediaType(image.contentType()))
                        .cacheControl(CacheControl.maxAge(Duration.ofDays(1)).cachePrivate())
                        .header("X-Content-Type-Options", "nosniff")
                        .body(image.bytes()));
    }

    private static Mono<Void> checked(String jobId) {
        return JOB_ID.matcher(jobId).matches() ? Mono.empty() : Mono.error(notFound(jobId));
    }

    private static RuntimeException notFound(String jobId) {
        return Problems.of(HttpStatus.NOT_FOUND, "job-not-found", "Job not found", "There is no job " + jobId + " of yours.");
    }
}
