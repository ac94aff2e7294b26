package dev.videogen.worker;

import dev.videogen.events.Topics;
import dev.videogen.events.UnreadableMessageException;
import dev.videogen.worker.generation.DemoVideoGenerator;
import dev.videogen.worker.generation.VideoGenerator;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WorkerConfiguration.class);

    /**
     * Chooses the generator. Only the offline demo generator is in this build; asking for a real provider is a clear
     * start-up error rather than silently making demo videos for someone who expects Ovi's.
     */
    @Bean
    VideoGenerator videoGenerator(WorkerProperties properties, @Value("${HF_TOKEN:}") String hfToken,
                                  @Value("${FAL_KEY:}") String falKey, ExecutorService renderThreads) {
        String wanted = properties.generator().strip().toLowerCase();
        boolean hasCredentials = !hfToken.isBlank() || !falKey.isBlank();
        if (wanted.equals("huggingface") || wanted.equals("fal") || (wanted.equals("auto") && hasCredentials)) {
            throw new IllegalStateException("VIDEOGEN_GENERATOR=" + wanted + (hasCredentials ? " with a token set" : "")
                    + " asks for real Ovi generation, which this build does not have yet; unset HF_TOKEN/FAL_KEY or set "
                    + "VIDEOGEN_GENERATOR=demo");
        }
        if (!wanted.equals("auto") && !wanted.equals("demo")) {
            throw new IllegalStateException("VIDEOGEN_GENERATOR must be auto, huggingface, fal or demo, not " + wanted);
        }
        log.info("generator: demo ({} s per video)", properties.demoSeconds());
        return new DemoVideoGenerator(properties, renderThreads);
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService renderThreads() {
        return Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Unreadable requests go to the dead-letter topic at once (original key, headers and partition); anything else
     * (Kafka or the object store away) is retried with backoff, and the job resumes from its checkpoint.
     */
    @Bean
    CommonErrorHandler requestErrorHandler(KafkaTemplate<String, String> template) {
        ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Duration.ofHours(1).toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), backOff);
        handler.addNotRetryableExceptions(UnreadableMessageException.class);
        return handler;
    }

    @Bean
    NewTopic requestedTopic() {
        return TopicBuilder.name(Topics.REQUESTED).partitions(Topics.REQUESTED_PARTITIONS).replicas(1).build();
    }

    @Bean
    NewTopic deadLetterTopic() {
        return TopicBuilder.name(Topics.REQUESTED_DLT).partitions(Topics.REQUESTED_PARTITIONS).replicas(1).build();
    }

    @Bean
    NewTopic eventsTopic() {
        return TopicBuilder.name(Topics.EVENTS).partitions(Topics.REQUESTED_PARTITIONS).replicas(1)
                .config("retention.ms", Long.toString(Duration.ofDays(3650).toMillis())).build();
    }
}
