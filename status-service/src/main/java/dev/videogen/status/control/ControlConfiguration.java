package dev.videogen.status.control;

import dev.videogen.events.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

@Configuration(proxyBeanMethods = false)
class ControlConfiguration {

    /** Compacted: the latest command per job stays readable for a worker that reaches the job late. */
    @Bean
    NewTopic commandsTopic() {
        return TopicBuilder.name(Topics.COMMANDS).partitions(Topics.REQUESTED_PARTITIONS).replicas(1)
                .configs(Topics.COMMANDS_CONFIG).build();
    }
}
