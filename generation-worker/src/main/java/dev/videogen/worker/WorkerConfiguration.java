package dev.videogen.worker;

import dev.videogen.events.Topics;
import dev.videogen.events.UnreadableMessageException;
import dev.videogen.worker.generation.DemoVideoGenerator;
import dev.videogen.worker.generation.GenerationTimes;
import dev.videogen.worker.storage.ObjectStore;
import dev.videogen.worker.generation.JobRunner;
import dev.videogen.worker.generation.VideoGenerator;
import dev.videogen.worker.intake.InFlightJobs;
import dev.videogen.worker.intake.IntakeSwitch;
import dev.videogen.worker.ovi.OviClient;
import dev.videogen.worker.ovi.OviProperties;
import dev.videogen.worker.ovi.OviVideoGenerator;
import dev.videogen.worker.ovi.Secret;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WorkerConfiguration.class);

    /** How many days of cancel commands a worker reads when it starts (older ones concern jobs long gone). */

    /**
     * Chooses the generator: {@code auto} takes HF_TOKEN, then FAL_KEY, then the demo; {@code huggingface} and
     * {@code fal} insist on their credential, so a missing token is a clear start-up error rather than demo videos
     * for someone who expects Ovi's.
     */
    @Bean
    VideoGenerator videoGenerator(WorkerProperties properties, OviProperties ovi, GenerationTimes times,
                                  WorkerThreads threads, MeterRegistry meters, ObjectStore store,
                                  @Value("${HF_TOKEN:}") String hfToken, @Value("${FAL_KEY:}") String falKey) {
        String wanted = properties.generator().strip().toLowerCase(Locale.ROOT);
        boolean hasHf = !hfToken.isBlank();
        boolean hasFal = !falKey.isBlank();
        switch (wanted) {
            case "huggingface":
                if (!hasHf) {
                    throw new IllegalStateException("VIDEOGEN_GENERATOR=huggingface needs HF_TOKEN");
                }
                return ovi(OviClient.Mode.HUGGINGFACE, new Secret(hfToken), ovi, times, threads, meters, store);
            case "fal":
                if (!hasFal) {
                    throw new IllegalStateException("VIDEOGEN_GENERATOR=fal needs FAL_KEY");
                }
                return ovi(OviClient.Mode.FAL, new Secret(falKey), ovi, times, threads, meters, store);
            case "auto":
                if (hasHf) {
                    return ovi(OviClient.Mode.HUGGINGFACE, new Secret(hfToken), ovi, times, threads, meters, store);
                }
                if (hasFal) {
                    return ovi(OviClient.Mode.FAL, new Secret(falKey), ovi, times, threads, meters, store);
                }
                return demo(properties, threads);
            case "demo":
                return demo(properties, threads);
            default:
                throw new IllegalStateException("VIDEOGEN_GENERATOR must be auto, huggingface, fal or demo, not " + wanted);
        }
    }

    private static VideoGenerator ovi(OviClient.Mode mode, Secret secret, OviProperties ovi, GenerationTimes times,
                                      WorkerThreads threads, MeterRegistry meters, ObjectStore store) {
        log.info("generator: Ovi ({}) through {}", ovi.model(),
                mode == OviClient.Mode.HUGGINGFACE ? ovi.routerUrl() + " (HuggingFace router)" : ovi.falQueueUrl());
        return OviVideoGenerator.sharing(new OviClient(mode, secret, ovi, meters), times, ovi, threads.cpuScheduler(),
                store, threads.ioExecutor());
    }

    private static VideoGenerator demo(WorkerProperties properties, WorkerThreads threads) {
        log.info("generator: demo ({} s per video)", properties.demoSeconds());
        return new DemoVideoGenerator(properties, threads.cpu());
    }

    /** Recent generation times for ETAs; until there are some, the demo's fixed time or Ovi's typical 40 s. */
    @Bean
    GenerationTimes generationTimes(WorkerProperties properties, OviProperties ovi,
                                    @Value("${HF_TOKEN:}") String hfToken, @Value("${FAL_KEY:}") String falKey) {
        String wanted = properties.generator().strip().toLowerCase(Locale.ROOT);
        boolean demo = wanted.equals("demo") || (wanted.equals("auto") && hfToken.isBlank() && falKey.isBlank());
        return new GenerationTimes(demo ? Duration.ofMillis(Math.round(properties.demoSeconds() * 1000))
                : ovi.typicalGeneration());
    }

    @Bean(destroyMethod = "close")
    WorkerThreads workerThreads() {
        return WorkerThreads.create(Math.max(1, Runtime.getRuntime().availableProcessors()), 32);
    }

    @Bean(destroyMethod = "abandonAll")
    InFlightJobs inFlightJobs(JobRunner runner, IntakeSwitch intake, WorkerProperties properties, MeterRegistry meters,
                              ObjectProvider<ObservationRegistry> observations) {
        int max = properties.maxInFlightFor(runner.generatorName());
        log.info("up to {} jobs in flight", max);
        return new InFlightJobs(runner::run, intake, max, properties.retryFirst(), properties.retryMax(), meters,
                observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    /**
     * Requests: ack mode MANUAL, each record acknowledged by {@link InFlightJobs} once its job's terminal event is in
     * Kafka, in offset order. Unreadable requests go to the dead-letter topic at once (original key and headers) and
     * count as done for the commits; the error handler commits nothing itself, since it cannot know about the jobs
     * still running before that record.
     */
    @Bean
    ConcurrentKafkaListenerContainerFactory<Object, Object> kafkaListenerContainerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer, ConsumerFactory<Object, Object> consumers,
            KafkaTemplate<String, String> template, InFlightJobs jobs) {
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
        configurer.configure(factory, consumers);
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(template,
                (record, exception) -> new TopicPartition(Topics.REQUESTED_DLT, record.partition()));
        ConsumerAwareRecordRecoverer recoverer = (record, consumer, exception) -> {
            deadLetters.accept(record, consumer, exception);
            jobs.deadLettered(record);
        };
        ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Duration.ofHours(1).toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(UnreadableMessageException.class);
        handler.setAckAfterHandle(false);
        factory.setCommonErrorHandler(handler);
        ContainerProperties container = factory.getContainerProperties();
        container.setAckMode(ContainerProperties.AckMode.MANUAL);
        container.setAsyncAcks(false);
        container.setConsumerRebalanceListener(jobs);
        return factory;
    }

    /**
     * Cancel commands: each worker reads all of them in a group of its own, from the earliest one retained, and
     * commits nothing (ack mode MANUAL, never acknowledged), so a restarted worker reads the retained ones again.
     */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, String> commandsContainerFactory(KafkaProperties kafka,
            @Value("${spring.kafka.listener.observation-enabled:false}") boolean observationEnabled) {
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ErrorHandlingDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ErrorHandlingDeserializer.class);
        config.put(ErrorHandlingDeserializer.KEY_DESERIALIZER_CLASS, StringDeserializer.class);
        config.put(ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS, StringDeserializer.class);
        ConcurrentKafkaListenerContainerFactory<String, String> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config));
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
        factory.getContainerProperties().setPollTimeout(1_000);
        // like the requests' container (spring.kafka.listener.observation-enabled): a cancel joins the trace of the
        // request that asked for it, and the listener timer has one set of tags
        factory.getContainerProperties().setObservationEnabled(observationEnabled);
        factory.setCommonErrorHandler(new DefaultErrorHandler(new FixedBackOff(1_000, 60)));
        return factory;
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

    @Bean
    NewTopic commandsTopic() {
        return TopicBuilder.name(Topics.COMMANDS).partitions(Topics.REQUESTED_PARTITIONS).replicas(1)
                .configs(Topics.COMMANDS_CONFIG).build();
    }
}
