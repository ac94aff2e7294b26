package dev.videogen.status.live;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/** Live updates: how often an idle SSE stream gets a comment so proxies keep it open. */
@ConfigurationProperties("videogen.live")
public record LiveProperties(Duration heartbeat) {

    public LiveProperties {
        heartbeat = heartbeat == null ? Duration.ofSeconds(15) : heartbeat;
    }
}
