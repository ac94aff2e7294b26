package dev.videogen.media.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP transport (see {@link HttpTransportProperties}). With {@code auto} Boot's shared Reactor Netty resources
 * stay as they are; with {@code epoll} they are replaced by {@link EpollLoops}. Either way the transport the server
 * really bound with is logged at start and shown under {@code /actuator/info} ({@code "http": {"transport": ...}}).
 */
@Configuration(proxyBeanMethods = false)
class HttpTransportConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HttpTransportConfiguration.class);

    private final AtomicReference<String> bound = new AtomicReference<>("not bound");

    @Bean
    @ConditionalOnProperty(name = "videogen.media.transport", havingValue = "epoll")
    ReactorResourceFactory epollResources() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResourcesSupplier(() -> new EpollLoops(LoopResources.DEFAULT_IO_WORKER_COUNT));
        return factory;
    }

    @Bean
    NettyServerCustomizer reportTransport() {
        return server -> server.doOnBound(disposable -> {
            bound.set(transportOf(disposable.channel().getClass().getSimpleName()));
            log.info("HTTP on {} with {} event loops", bound.get(), LoopResources.DEFAULT_IO_WORKER_COUNT);
        });
    }

    @Bean
    InfoContributor transportInfo(HttpTransportProperties properties) {
        return info -> info.withDetail("http", Map.of("transport", bound.get(),
                "configured", properties.transport().name().toLowerCase(Locale.ROOT)));
    }

    /** "IoUringServerSocketChannel" -> "io_uring", "EpollServerSocketChannel" -> "epoll", NIO's -> "nio". */
    static String transportOf(String serverChannelClass) {
        if (serverChannelClass.startsWith("IoUring")) {
            return "io_uring";
        }
        if (serverChannelClass.startsWith("Epoll")) {
            return "epoll";
        }
        if (serverChannelClass.startsWith("Nio")) {
            return "nio";
        }
        return serverChannelClass;
    }
}
