package dev.videogen.gateway.owner;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * The owner cookie. {@code signingKey} comes from {@code VIDEOGEN_OWNER_KEY}; without one a random key is made at
 * start, which is fine for one process but makes every browser a new owner after a restart.
 */
@ConfigurationProperties("videogen.owner")
public record OwnerProperties(String signingKey, Duration cookieMaxAge, boolean secureCookie) {

    public OwnerProperties {
        cookieMaxAge = cookieMaxAge == null ? Duration.ofDays(400) : cookieMaxAge;
    }
}
