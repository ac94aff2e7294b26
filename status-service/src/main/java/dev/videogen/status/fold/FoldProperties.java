package dev.videogen.status.fold;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * The fold of Kafka into the read model.
 *
 * @param rebuildCheck how often the fold looks whether Redis lost the read model (then it folds Kafka again from
 *                     the beginning); also checked at every Redis reconnect
 */
@ConfigurationProperties("videogen.fold")
public record FoldProperties(Duration rebuildCheck) {

    public FoldProperties {
        rebuildCheck = rebuildCheck == null ? Duration.ofSeconds(5) : rebuildCheck;
        if (rebuildCheck.isNegative() || rebuildCheck.isZero()) {
            throw new IllegalArgumentException("videogen.fold.rebuild-check must be positive");
        }
    }
}
