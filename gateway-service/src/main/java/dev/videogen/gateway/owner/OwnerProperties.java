package dev.videogen.gateway.owner;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The owner cookie. {@code signingKey} comes from {@code VIDEOGEN_OWNER_KEY}; without one a random key is made at
 * start, which is fine for one process but makes every browser a new owner after a restart. API clients may instead
 * send {@code Authorization: Bearer <key>} with a key configured per owner.
 */
@ConfigurationProperties("videogen.owner")
public record OwnerProperties(String signingKey, Duration cookieMaxAge, boolean secureCookie, String apiKeys) {

    public OwnerProperties {
        cookieMaxAge = cookieMaxAge == null ? Duration.ofDays(400) : cookieMaxAge;
    }

    /** {@code VIDEOGEN_API_KEYS}: {@code key=ownerId} pairs, comma-separated, for API clients that send a bearer key. */
    public Map<String, String> apiKeyOwners() {
        Map<String, String> owners = new HashMap<>();
        if (apiKeys == null || apiKeys.isBlank()) {
            return owners;
        }
        for (String pair : apiKeys.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.strip().length() - 1) {
                throw new IllegalArgumentException("VIDEOGEN_API_KEYS must be key=ownerId pairs separated by commas");
            }
            owners.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return owners;
    }
}
