package dev.videogen.gateway.routing;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Base URLs of the internal services the gateway routes to. */
@Validated
@ConfigurationProperties("videogen.routes")
public record RoutesProperties(@NotBlank String statusUrl, @NotBlank String mediaUrl) {
}
