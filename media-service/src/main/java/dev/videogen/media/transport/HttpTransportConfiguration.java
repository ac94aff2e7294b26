package dev.videogen.media.transport;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP transport (see {@link HttpTransportProperties}). Reactor Netty's shared resources take io_uring whenever
 * its classes are present and the kernel allows it, so for {@code epoll} they are replaced by {@link EpollLoops};
 * for {@code io_uring} they stay as they are. Either way the transport the server really bound with is logged at
 * start and shown under {@code /actuator/info} ({@code "http": {"transport": ..., "configured": ...}}).
 */
@Configuration(proxyBeanMethods = false)
class HttpTransportConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HttpTransportConfiguration.class);

    private final AtomicReference<String> bound = new AtomicReference<>("not bound");

    @Bean
    @Conditional(EpollChosenAndAvailable.class)
    ReactorResourceFactory epollResources() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResourcesSupplier(() -> new EpollLoops(LoopResources.DEFAULT_IO_WORKER_COUNT));
        return factory;
    }

    @Bean
    NettyServerCustomizer reportTransport(HttpTransportProperties properties) {
        if (properties.transport() == HttpTransportProperties.Choice.IO_URING && !IoUring.isAvailable()) {
            log.warn("{}=io_uring, but io_uring is not available here ({}); Reactor Netty's default instead",
                    HttpTransportProperties.NAME, IoUring.unavailabilityCause().toString());
        }
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

    /**
     * epoll chosen (the default) and there: without epoll (not Linux) Reactor Netty's own choice stays. The setting
     * is bound as {@link HttpTransportProperties} binds it, so both read any spelling the same way.
     */
    static final class EpollChosenAndAvailable implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            HttpTransportProperties.Choice chosen = Binder.get(context.getEnvironment())
                    .bind(HttpTransportProperties.NAME, HttpTransportProperties.Choice.class)
                    .orElse(HttpTransportProperties.Choice.EPOLL);
            return chosen == HttpTransportProperties.Choice.EPOLL && Epoll.isAvailable();
        }
    }
}
