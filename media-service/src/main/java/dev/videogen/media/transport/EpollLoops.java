package dev.videogen.media.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Event loops on epoll whatever else is on the class path: Reactor Netty's own loop resources take io_uring whenever
 * its classes are there and the kernel offers it, and have no setting to skip it. Channels follow the group (Reactor
 * Netty picks epoll channels for an epoll group). The same thread names as Reactor Netty's, so thread dumps and
 * profiles read alike. Made only where epoll is available ({@link HttpTransportConfiguration}).
 */
final class EpollLoops implements LoopResources {

    private final EventLoopGroup group;

    EpollLoops(int threads) {
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("reactor-http-epoll", true),
                EpollIoHandler.newFactory());
    }

    @Override
    public EventLoopGroup onServer(boolean useNative) {
        return group;
    }

    @Override
    public boolean isDisposed() {
        return group.isShuttingDown();
    }

    @Override
    public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        return Mono.defer(() -> {
            Future<?> terminated = group.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            return Mono.<Void>create(sink -> terminated.addListener(done -> sink.success()));
        });
    }
}
