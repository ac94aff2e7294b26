package dev.videogen.media;

import io.netty.channel.uring.IoUring;
import org.springframework.test.context.TestPropertySource;

/**
 * Every test of {@link MediaServiceCachedIT} (and so of {@link MediaServiceIT}) again with
 * {@code videogen.media.transport=io_uring}: delivery must be exactly the same on either transport, sendfile from
 * the cache (a splice through a pipe on io_uring) and streams from the store alike. Where the kernel refuses
 * io_uring the service falls back to epoll, and so does this expectation.
 */
@TestPropertySource(properties = "videogen.media.transport=io_uring")
class MediaServiceIoUringIT extends MediaServiceCachedIT {

    @Override
    String expectedTransport() {
        return IoUring.isAvailable() ? "io_uring" : "epoll";
    }
}
