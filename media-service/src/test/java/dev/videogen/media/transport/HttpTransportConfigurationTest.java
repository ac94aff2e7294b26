package dev.videogen.media.transport;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

import static org.assertj.core.api.Assertions.assertThat;

class HttpTransportConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(HttpTransportProperties.class)
    static class Properties {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, HttpTransportConfiguration.class);

    @Test
    void anUnknownTransportStopsTheStartNamingTheSetting() {
        runner.withPropertyValues("videogen.media.transport=kqueue").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("videogen.media.transport");
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("kqueue");
        });
    }

    @Test
    void epollByDefaultReplacesTheSharedLoopsAndIoUringKeepsThem() {
        runner.run(context -> assertThat(context).hasSingleBean(ReactorResourceFactory.class));
        runner.withPropertyValues("videogen.media.transport=EPOLL").run(context ->
                assertThat(context).hasSingleBean(ReactorResourceFactory.class));
        runner.withPropertyValues("videogen.media.transport=io_uring").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(ReactorResourceFactory.class);
        });
    }

    @Test
    void namesTheTransportOfTheServerChannel() {
        assertThat(HttpTransportConfiguration.transportOf("IoUringServerSocketChannel")).isEqualTo("io_uring");
        assertThat(HttpTransportConfiguration.transportOf("EpollServerSocketChannel")).isEqualTo("epoll");
        assertThat(HttpTransportConfiguration.transportOf("NioServerSocketChannel")).isEqualTo("nio");
    }
}
