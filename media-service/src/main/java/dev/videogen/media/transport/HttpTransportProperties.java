package dev.videogen.media.transport;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which Netty transport carries media-service's HTTP.
 *
 * @param transport {@code epoll} (default; Java NIO where there is no epoll), or {@code io_uring} where the kernel
 *                  allows it (Linux 5.10+, x86-64, not blocked as Docker's and Kubernetes' default seccomp profiles
 *                  do), falling back to epoll otherwise. Measured in docs/benchmarks.md § 1: io_uring serves more
 *                  2 MB videos to 64 clients at once, but a single client's ranges and 50 MB videos more slowly, at
 *                  1.2-12x the CPU per request
 * @param tcpCork   TCP_CORK around each response body ({@link TcpCork}); off only to measure without it
 */
@ConfigurationProperties("videogen.media")
public record HttpTransportProperties(@DefaultValue("epoll") Choice transport, @DefaultValue("true") boolean tcpCork) {

    public static final String NAME = "videogen.media.transport";

    public enum Choice { EPOLL, IO_URING }
}
