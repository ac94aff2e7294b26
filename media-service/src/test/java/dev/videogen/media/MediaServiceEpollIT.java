package dev.videogen.media;

import org.springframework.test.context.TestPropertySource;

/**
 * Every test of {@link MediaServiceCachedIT} (and so of {@link MediaServiceIT}) again with
 * {@code videogen.media.transport=epoll}: the switch an operator turns when io_uring is not wanted must leave
 * delivery exactly as it is, sendfile from the cache and streams from the store alike.
 */
@TestPropertySource(properties = "videogen.media.transport=epoll")
class MediaServiceEpollIT extends MediaServiceCachedIT {

    @Override
    String expectedTransport() {
        return "epoll";
    }
}
