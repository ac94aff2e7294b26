package dev.videogen.media.cache;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The local disk cache of videos and posters.
 *
 * @param dir             the cache's own directory (one per media-service process; its files are removed at start);
 *                        blank = a fresh temporary directory, removed at shutdown
 * @param maxSize         bound on the bytes of the directory, files being filled included; 0 turns the cache off
 * @param revalidateAfter how long a cached object is served before the store is asked again whether it still is
 *                        the same object (the ETag); the owner check runs on every request regardless
 */
@Validated
@ConfigurationProperties("videogen.media.cache")
public record MediaCacheProperties(String dir, @NotNull DataSize maxSize, @NotNull Duration revalidateAfter) {

    public MediaCacheProperties {
        dir = dir == null ? "" : dir.strip();
        if (maxSize.isNegative()) {
            throw new IllegalArgumentException("videogen.media.cache.max-size must not be negative");
        }
        if (revalidateAfter.isNegative()) {
            throw new IllegalArgumentException("videogen.media.cache.revalidate-after must not be negative");
        }
    }

    boolean enabled() {
        return maxSize.toBytes() > 0;
    }
}
