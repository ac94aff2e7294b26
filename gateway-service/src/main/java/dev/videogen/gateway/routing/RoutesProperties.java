package dev.videogen.gateway.routing;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Base URLs of the internal services the gateway routes to.
 *
 * @param maxConnections connections the proxy may hold open to the internal services at once; every open event
 *                       stream holds one for as long as it lasts, so this bounds the streams one gateway carries
 */
@Validated
@ConfigurationProperties("videogen.routes")
public record RoutesProperties(@NotBlank String statusUrl, @NotBlank String mediaUrl, Integer maxConnections) {

    public RoutesProperties {
        maxConnections = maxConnections == null ? 10_000 : maxConnections;
        if (maxConnections < 1) {
            throw new IllegalArgumentException("videogen.routes.max-connections must be at least 1");
        }
    }
}
