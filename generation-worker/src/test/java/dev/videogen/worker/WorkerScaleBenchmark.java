package dev.videogen.worker;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationCompleted;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationFailed;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.GenerationSubmitted;
import dev.videogen.events.Topics;
import dev.videogen.worker.support.LocalS3;
import dev.videogen.worker.support.SlowUpstream;
import dev.videogen.worker.support.TestMedia;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scale benchmark: N concurrent generations through real worker(s), a real Kafka broker, a real S3 API server and
 * a fake provider that takes a fixed time per job. Not part of {@code ./mvnw verify} (its name matches neither
 * *Test nor *IT); run it with
 *
 * <pre>
 * ./mvnw -B -o -pl generation-worker -am install -DskipTests
 * ./mvnw -B -o -pl generation-worker verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=WorkerScaleBenchmark [-Dbenchmark.jobs=200 -Dbenchmark.jobSeconds=40 -Dbenchmark.workers=1 \
 *     -Dbenchmark.maxInFlight=200]
 * </pre>
 *
 * Everything runs in the one test JVM (-Xmx512m): broker, S3 server, fake provider and the worker(s), so the
 * numbers are pessimistic for the worker. The results are printed and written to target/benchmark-worker.md.
 */
class WorkerScaleBenchmark {

    private final int jobs = Integer.getInteger("benchmark.jobs", 200);
    private final Duration jobTime = Duration.ofSeconds(Long.getLong("benchmark.jobSeconds", 40));
    private final int workers = Integer.getInteger("benchmark.workers", 1);
    private final int maxInFlight = Integer.getInteger("benchmark.maxInFlight", 200);
    /** 0: every request at once (the worst case: every job also finishes at once); else spread over this long. */
    private final Duration arrival = Duration.ofSeconds(Long.getLong("benchmark.arrivalSeconds", 0));

    @Test
    void concurrentGenerations() throws Exception {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, Topics.REQUESTED_PARTITIONS);
        broker.kafkaPorts(0);
        broker.afterPropertiesSet();
        List<ConfigurableApplicationContext> contexts = new ArrayList<>();
        try (LocalS3 s3 = new LocalS3(); SlowUpstream upstream = new SlowUpstream(jobTime, TestMedia.mp4())) {
            String brokers = broker.getBrokersAsString();
            createTopics(brokers);
            for (int i = 0; i < workers; i++) {
                contexts.add(worker(i, brokers, s3, upstream));
            }
            Result result = run(brokers, upstream);
            String report = report(result, upstream);
            result.cpuByThreads.forEach((group, seconds) -> System.out.printf("CPU %-90s %.1f%n", group, seconds));
            System.out.println("LOAD " + Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.println(report);
            Files.writeString(Path.of("target", "benchmark-worker.md"), report,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            assertThat(result.failed).isZero();
            assertThat(result.completed).hasSize(jobs);
            assertThat(upstream.submits.get()).isEqualTo(jobs);
        } finally {
            contexts.forEach(ConfigurableApplicationContext::close);
            broker.destroy();
        }
    }

    private ConfigurableApplicationContext worker(int index, String brokers, LocalS3 s3, SlowUpstream upstream) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.kafka.bootstrap-servers", brokers);
        properties.put("server.port", "0");
        properties.put("videogen.worker.generator", "huggingface");
        properties.put("HF_TOKEN", "hf_benchmark_token");
        properties.put("videogen.worker.max-in-flight", Integer.toString(maxInFlight));
        properties.put("videogen.worker.instance-id", "bench-" + index);
        properties.put("videogen.ovi.hub-url", upstream.url());
        properties.put("videogen.ovi.router-url", upstream.url());
        properties.put("videogen.ovi.fal-queue-url", upstream.url());
        properties.put("videogen.s3.endpoint", s3.endpoint());
        properties.put("videogen.s3.access-key", LocalS3.ACCESS_KEY);
        properties.put("videogen.s3.secret-key", LocalS3.SECRET_KEY);
        properties.put("logging.level.dev.videogen", System.getProperty("benchmark.log", "WARN"));
        // as arguments: they must win over application.yml, which default properties do not
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(WorkerApplication.class).run(args);
    }

    private Result run(String brokers, SlowUpstream upstream) throws Exception {
        Result result = new Result();
        String image = TestMedia.dataUri("image/png", TestMedia.png());
        try (KafkaConsumer<String, String> events = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers, ConsumerConfig.GROUP_ID_CONFIG, "benchmark",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            events.subscribe(List.of(Topics.EVENTS));
            while (events.assignment().isEmpty()) {
                events.poll(Duration.ofMillis(100));
            }
            events.assignment().forEach(events::position); // pin "latest" before the first request goes out
            warmUp(producer, events, image);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            result.threadsBefore = threads.getThreadCount();
            threads.resetPeakThreadCount();
            long cpuBefore = processCpuNanos();
            Map<Long, Long> threadCpuBefore = threadCpu(threads);

            result.start = Instant.now();
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                if (!arrival.isZero()) {
                    long due = result.start.toEpochMilli() + arrival.toMillis() * i / jobs;
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) {
                        drain(events, result, upstream, threads, memory, Duration.ofMillis(wait));
                    }
                }
                String jobId = "bench-job-" + i;
                result.producedAt.put(jobId, Instant.now());
                sends.add(producer.send(new ProducerRecord<>(Topics.REQUESTED, jobId, EventJson.write(
                        new GenerationRequested(jobId, "bench", "benchmark " + i, image, GenerationParams.NONE,
                                Instant.now())))));
            }
            for (Future<?> send : sends) {
                send.get();
            }
            Instant deadline = result.start.plus(jobTime.multipliedBy(4 * ((jobs + maxInFlight * workers - 1)
                    / (maxInFlight * workers)))).plus(arrival).plusSeconds(120);
            while (result.completed.size() + result.failed < jobs && Instant.now().isBefore(deadline)) {
                drain(events, result, upstream, threads, memory, Duration.ofMillis(200));
            }
            result.end = Instant.now();
            result.peakThreads = threads.getPeakThreadCount();
            result.cpuByThreads = cpuByThreadGroup(threads, threadCpuBefore);
            result.cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
        }
        return result;
    }

    private void drain(KafkaConsumer<String, String> events, Result result, SlowUpstream upstream,
                       ThreadMXBean threads, MemoryMXBean memory, Duration time) {
        for (ConsumerRecord<String, String> record : events.poll(time)) {
            GenerationEvent event = EventJson.readEvent(record.value());
            if (event instanceof GenerationSubmitted) {
                result.submittedAt.put(event.jobId(), event.occurredAt());
            } else if (event instanceof GenerationCompleted) {
                result.completed.put(event.jobId(), event.occurredAt());
            } else if (event instanceof GenerationFailed failed) {
                result.failed++;
                System.out.println("FAILED " + failed.jobId() + ": " + failed.error());
            }
            result.events++;
        }
        if (upstream.maxConcurrentJobs() >= Math.min(jobs, maxInFlight * workers) && result.threadsAtPlateau == 0) {
            result.threadsAtPlateau = threads.getThreadCount();
            result.heapAtPlateauMb = memory.getHeapMemoryUsage().getUsed() / (1024 * 1024);
        }
    }

    /** Some one-second jobs first: connections, JIT and FFmpeg are warm before the clock starts (steady state). */
    private void warmUp(KafkaProducer<String, String> producer, KafkaConsumer<String, String> events, String image)
            throws Exception {
        int count = 20 * workers;
        for (int i = 0; i < count; i++) {
            String jobId = "warmup-job-" + i;
            producer.send(new ProducerRecord<>(Topics.REQUESTED, jobId, EventJson.write(new GenerationRequested(jobId,
                    "bench", "warmup " + i, image, GenerationParams.NONE, Instant.now())))).get();
        }
        int done = 0;
        Instant until = Instant.now().plusSeconds(180);
        while (done < count && Instant.now().isBefore(until)) {
            for (ConsumerRecord<String, String> record : events.poll(Duration.ofMillis(200))) {
                if (EventJson.readEvent(record.value()).terminal()) {
                    done++;
                }
            }
        }
        assertThat(done).as("warm-up jobs finished").isEqualTo(count);
    }

    private String report(Result r, SlowUpstream upstream) {
        List<Long> endToEnd = new ArrayList<>();
        List<Long> before = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        for (Map.Entry<String, Instant> done : r.completed.entrySet()) {
            Instant produced = r.producedAt.get(done.getKey());
            Instant submitted = r.submittedAt.get(done.getKey());
            endToEnd.add(Duration.between(produced, done.getValue()).toMillis());
            if (submitted != null) {
                before.add(Duration.between(produced, submitted).toMillis());
                after.add(Duration.between(submitted.plus(jobTime), done.getValue()).toMillis());
            }
        }
        long wall = Duration.between(r.start, r.end).toMillis();
        return """

                ### %d jobs of %d s, arriving over %d s, %d worker(s), max %d in flight each (%s)

                | measure | value |
                |---|---|
                | jobs completed / failed | %d / %d |
                | wall clock for the batch | %.1f s (ideal %d s) |
                | jobs generating at the same time at the provider (max) | %d |
                | end to end per job, p50 / p95 / max | %.1f / %.1f / %.1f s |
                | request produced -> Submitted, p50 / p95 | %d / %d ms |
                | provider done -> Completed, p50 / p95 (poll lag, result, download, poster, store, event) | %d / %d ms |
                | upstream requests: submits / polls / results / downloads | %d / %d / %d / %d |
                | events published | %d |
                | JVM threads before / at the 200-job plateau / peak | %d / %d / %d |
                | heap used at the plateau | %d MB |
                | machine load average at the end (1 / 5 / 15 min; 2 cores, shared) | %s |
                | process CPU during the batch (2 cores, whole JVM) | %.1f s |
                | worker CPU per job (its threads only, see below) | %.0f ms |

                CPU seconds during the batch by thread group (live threads; GC and JIT are not Java threads):

                %s
                """.formatted(jobs, jobTime.toSeconds(), arrival.toSeconds(), workers, maxInFlight, Instant.now(),
                r.completed.size(), r.failed, wall / 1000.0,
                arrival.toSeconds() + jobTime.toSeconds() * ((jobs + maxInFlight * workers - 1) / (maxInFlight * workers)),
                upstream.maxConcurrentJobs(),
                pct(endToEnd, 50) / 1000.0, pct(endToEnd, 95) / 1000.0, pct(endToEnd, 100) / 1000.0,
                pct(before, 50), pct(before, 95), pct(after, 50), pct(after, 95),
                upstream.submits.get(), upstream.polls.get(), upstream.results.get(), upstream.downloads.get(),
                r.events, r.threadsBefore, r.threadsAtPlateau, r.peakThreads, r.heapAtPlateauMb, loadAverage(), r.cpuSeconds,
                r.cpuByThreads.entrySet().stream().filter(e -> e.getKey().startsWith("worker"))
                        .mapToDouble(Map.Entry::getValue).sum() * 1000 / Math.max(1, r.completed.size()),
                cpuTable(r.cpuByThreads));
    }

    private static String cpuTable(Map<String, Double> groups) {
        Map<String, Double> merged = new java.util.TreeMap<>();
        groups.forEach((name, seconds) -> merged.merge(name.startsWith("other") ? "other" : name, seconds,
                Double::sum));
        StringBuilder table = new StringBuilder("| threads | CPU s |\n|---|---|\n");
        merged.forEach((name, seconds) -> table.append("| ").append(name).append(" | ")
                .append(String.format(java.util.Locale.ROOT, "%.1f", seconds)).append(" |\n"));
        return table.toString();
    }

    private static long pct(List<Long> values, int percentile) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static void createTopics(String brokers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            admin.createTopics(List.of(new NewTopic(Topics.REQUESTED, Topics.REQUESTED_PARTITIONS, (short) 1),
                    new NewTopic(Topics.EVENTS, Topics.REQUESTED_PARTITIONS, (short) 1))).all().get();
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static final class Result {
        final Map<String, Instant> producedAt = new HashMap<>();
        final Map<String, Instant> submittedAt = new HashMap<>();
        final Map<String, Instant> completed = new HashMap<>();
        int failed;
        long events;
        Instant start;
        Instant end;
        int threadsBefore;
        int threadsAtPlateau;
        int peakThreads;
        long heapAtPlateauMb;
        double cpuSeconds;
        Map<String, Double> cpuByThreads = Map.of();
    }

    private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            cpu.put(id, Math.max(0, threads.getThreadCpuTime(id)));
        }
        return cpu;
    }

    /** CPU seconds spent during the batch by the live threads, by who they work for (ended threads are missing). */
    private static Map<String, Double> cpuByThreadGroup(ThreadMXBean threads, Map<Long, Long> before) {
        Map<String, Double> groups = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId()) - before.getOrDefault(info.getThreadId(), 0L);
            if (nanos > 0) {
                groups.merge(group(info.getThreadName()), nanos / 1e9, Double::sum);
            }
        }
        return groups;
    }

    private static String group(String name) {
        if (name.startsWith("worker-io") || name.startsWith("worker-cpu") || name.startsWith("generation-worker")
                || name.startsWith("parallel-") || name.contains("generation-worker-producer")
                || name.startsWith("ovi-http") || name.startsWith("OkHttp") || name.startsWith("Okio")
                || name.startsWith("boundedElastic")) {
            return "worker: its pools, timers, consumer, producer, provider HTTP client, S3 client";
        }
        if (name.startsWith("reactor-http")) {
            return "fake provider (Reactor Netty server)";
        }
        if (name.startsWith("qtp") || name.startsWith("S3Proxy") || name.contains("jclouds")
                || name.startsWith("user thread")) {
            return "S3 server (S3Proxy)";
        }
        if (name.equals("main")) {
            return "benchmark driver (main: producing, reading events)";
        }
        if (name.startsWith("kafka") || name.contains("broker") || name.contains("controller") || name.contains("raft")
                || name.startsWith("data-plane") || name.contains("quorum") || name.startsWith("ExpirationReaper")
                || name.contains("LogCleaner") || name.contains("group-coordinator") || name.contains("Processor")
                || name.contains("request-handler") || name.startsWith("share-")) {
            return "Kafka broker";
        }
        if (name.startsWith("benchmark") || name.contains("producer-") || name.contains("consumer")) {
            return "benchmark clients";
        }
        return "other (" + name.replaceAll("[0-9]+", "#") + ")";
    }
}
