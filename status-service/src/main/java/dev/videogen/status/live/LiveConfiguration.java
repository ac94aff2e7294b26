package dev.videogen.status.live;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;

@Configuration(proxyBeanMethods = false)
class LiveConfiguration {

    /** One Redis connection carries the subscriptions of every open stream of this replica. */
    @Bean(destroyMethod = "destroy")
    ReactiveRedisMessageListenerContainer redisListeners(ReactiveRedisConnectionFactory factory) {
        return new ReactiveRedisMessageListenerContainer(factory);
    }
}
