package dev.videogen.media.transport;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which Netty transport carries media-service's HTTP.
 *
 * @param transport {@code auto}: io_uring where the kernel allows it (Linux 5.10+ and not blocked, as Docker's and
 *                  Kubernetes' default seccomp profiles block it), else epoll, else Java NIO; {@code epoll}: never
 *                  io_uring (for kernels or policies that forbid it, or to rule it out when investigating)
 */
@ConfigurationProperties("videogen.media")
public record HttpTransportProperties(@DefaultValue("auto") Choice transport) {

    public enum Choice { AUTO, EPOLL }
}
