import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Small benchmark helpers that need Kafka or many concurrent HTTP streams. No framework: kafka-clients only.
 * Arguments are key=value pairs; the Kafka bootstrap comes from KAFKA_BOOTSTRAP_SERVERS.
 *
 * <pre>
 *   jobs      owner= prefix= count= [image-file=]  publish GenerationRequested records (jobs appear queued in the
 *                                              read model); with image-file the image goes as a data: URI
 *   sse       status= owner= streams= mode=distinct|same events= interval-ms= out=
 *                                              event-to-SSE latency: N open streams, Progressed events published with a
 *                                              send timestamp taken just before producer.send()
 *   kafka     count= bytes=                  time synchronous publishes (acks=all, idempotent, as the gateway does)
 *   report    owner= expect= timeout-s= out=  read the events topic from the start, per job timings for one owner
 *   members   group=                         members of a consumer group and their partition counts
 *   skip      group=                         move a (stopped) consumer group to the end of the requests topic, so
 *                                              workers started later do not work off an earlier benchmark's backlog
 * </pre>
 * Every command prints one summary line of key=value pairs (parsed by bench/report.py).
 */
public class BenchTool {

    static final String REQUESTED = "videogen.generation.requested";
    static final String EVENTS = "videogen.generation.events";

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            a.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        switch (args[0]) {
            case "jobs" -> jobs(a);
            case "sse" -> sse(a);
            case "kafka" -> kafkaTiming(a);
            case "report" -> report(a);
            case "skip" -> skip(a);
            case "members" -> members(a);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        System.exit(0);
    }

    static String bootstrap() {
        return System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    }

    static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static String q(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String requestJson(String jobId, String owner) {
        return requestJson(jobId, owner, "s3://uploads/" + jobId);
    }

    static String requestJson(String jobId, String owner, String imageUrl) {
        return "{\"jobId\":" + q(jobId) + ",\"ownerId\":" + q(owner) + ",\"prompt\":\"bench\",\"imageUrl\":"
                + q(imageUrl) + ",\"params\":{\"negativePrompt\":null,\"seed\":null,\"steps\":null},"
                + "\"requestedAt\":" + q(Instant.now().toString()) + "}";
    }

    static String progressedJson(String jobId, long seq, int progress) {
        return "{\"type\":\"Progressed\",\"eventId\":" + q(UUID.randomUUID().toString()) + ",\"jobId\":" + q(jobId)
                + ",\"sequence\":" + seq + ",\"occurredAt\":" + q(Instant.now().toString()) + ",\"progress\":" + progress
                + ",\"stage\":\"bench\",\"queuePosition\":null,\"etaSeconds\":null}";
    }

    // ---------------------------------------------------------------- jobs

    static void jobs(Map<String, String> a) throws Exception {
        String owner = a.get("owner");
        String prefix = a.get("prefix");
        int count = Integer.parseInt(a.getOrDefault("count", "1"));
        // image-file=PATH: the image travels in the request as a data: URI (no upload needed), as another system may send it
        String image = a.containsKey("image-file") ? "data:image/png;base64,"
                + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(a.get("image-file")))) : null;
        try (var producer = producer()) {
            for (int i = 0; i < count; i++) {
                String jobId = count == 1 ? prefix : prefix + "-" + i;
                if (image != null) {
                    jobId = prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "-" + i;
                }
                producer.send(new ProducerRecord<>(REQUESTED, jobId,
                        image == null ? requestJson(jobId, owner) : requestJson(jobId, owner, image)));
            }
            producer.flush();
        }
        System.out.println("jobs_published=" + count);
    }

    // ---------------------------------------------------------------- sse

    static void sse(Map<String, String> a) throws Exception {
        String status = a.get("status");
        String owner = a.get("owner");
        int streams = Integer.parseInt(a.get("streams"));
        boolean same = "same".equals(a.getOrDefault("mode", "distinct"));
        int events = Integer.parseInt(a.getOrDefault("events", "200"));
        long intervalMs = Long.parseLong(a.getOrDefault("interval-ms", "20"));
        String run = a.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        int jobCount = same ? 1 : streams;
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < jobCount; i++) {
            jobs.add("bench-sse-" + run + "-" + i);
        }
        var producer = producer();
        for (String job : jobs) {
            producer.send(new ProducerRecord<>(REQUESTED, job, requestJson(job, owner)));
        }
        producer.flush();

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(10)).build();
        // wait until every job is in the read model; meanwhile time plain GETs (what a polling client pays per poll)
        List<Long> getNanos = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String job : jobs) {
            while (true) {
                HttpRequest get = HttpRequest.newBuilder(URI.create(status + "/api/video-jobs/" + job))
                        .header("X-Videogen-Owner", owner).build();
                long t0 = System.nanoTime();
                int code = client.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
                long took = System.nanoTime() - t0;
                if (code == 200) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("job " + job + " never appeared (" + code + ")");
                }
                Thread.sleep(50);
            }
        }
        for (int i = 0; i < 200; i++) { // polling cost, measured with the streams not yet open
            HttpRequest get = HttpRequest.newBuilder(URI.create(status + "/api/video-jobs/" + jobs.get(i % jobCount)))
                    .header("X-Videogen-Owner", owner).build();
            long t0 = System.nanoTime();
            client.send(get, HttpResponse.BodyHandlers.discarding());
            getNanos.add(System.nanoTime() - t0);
        }

        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        CountDownLatch opened = new CountDownLatch(streams);
        AtomicInteger received = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Flow.Subscription> subscriptions = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < streams; i++) {
            String job = jobs.get(same ? 0 : i);
            HttpRequest req = HttpRequest.newBuilder(URI.create(status + "/api/video-jobs/" + job + "/events"))
                    .header("X-Videogen-Owner", owner).header("Accept", "text/event-stream").build();
            var subscriber = new Flow.Subscriber<String>() {
                String id;
                boolean first = true;

                public void onSubscribe(Flow.Subscription s) {
                    subscriptions.add(s);
                    s.request(Long.MAX_VALUE);
                }

                public void onNext(String line) {
                    long now = System.nanoTime();
                    if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("data:")) {
                        if (first) {
                            first = false;
                            opened.countDown();
                            return;
                        }
                        Long t0 = sentAt.get(job + "#" + id);
                        if (t0 != null) {
                            latencies.add(now - t0);
                            received.incrementAndGet();
                        }
                    }
                }

                public void onError(Throwable t) {
                    failed.incrementAndGet();
                }

                public void onComplete() {
                }
            };
            client.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(subscriber))
                    .exceptionally(t -> {
                        failed.incrementAndGet();
                        return null;
                    });
        }
        boolean allOpen = opened.await(90, TimeUnit.SECONDS);
        long openCount = streams - opened.getCount();
        Thread.sleep(1000);
        System.err.println("streams open: " + openCount + "/" + streams + " (failed " + failed.get() + ")");

        Map<String, Long> seqs = new HashMap<>();
        Random random = new Random(42);
        for (int k = 0; k < events; k++) {
            String job = jobs.get(same ? 0 : k % jobCount);
            long seq = seqs.merge(job, 1L, Long::sum);
            String value = progressedJson(job, seq, (int) Math.min(99, seq));
            sentAt.put(job + "#" + seq, System.nanoTime());
            producer.send(new ProducerRecord<>(EVENTS, job, value));
            Thread.sleep(intervalMs + (intervalMs > 0 ? random.nextInt((int) Math.max(1, intervalMs / 2)) : 0));
        }
        long expected = same ? (long) events * openCount : events;
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (received.get() < expected && System.nanoTime() < waitUntil) {
            Thread.sleep(50);
        }
        List<Long> ms = new ArrayList<>(latencies);
        Collections.sort(ms);
        String out = a.get("out");
        if (out != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(out)))) {
                w.println("latency_ms");
                for (long n : ms) {
                    w.printf("%.3f%n", n / 1e6);
                }
            }
        }
        Collections.sort(getNanos);
        System.out.printf("streams=%d mode=%s open=%d failed=%d events=%d delivered=%d expected=%d "
                        + "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f "
                        + "get_p50_ms=%.2f get_p99_ms=%.2f%n",
                streams, same ? "same" : "distinct", openCount, failed.get(), events, ms.size(), expected,
                pct(ms, 50), pct(ms, 90), pct(ms, 99), ms.isEmpty() ? Double.NaN : ms.get(ms.size() - 1) / 1e6,
                ms.stream().mapToLong(Long::longValue).average().orElse(Double.NaN) / 1e6,
                pct(getNanos, 50), pct(getNanos, 99));
        if (!allOpen) {
            System.err.println("warning: not every stream opened");
        }
        producer.close(Duration.ofSeconds(5));
    }

    static double pct(List<Long> sortedNanos, double p) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sortedNanos.size()) - 1;
        return sortedNanos.get(Math.max(0, Math.min(sortedNanos.size() - 1, idx))) / 1e6;
    }

    // ---------------------------------------------------------------- kafka publish timing

    static void kafkaTiming(Map<String, String> a) throws Exception {
        int count = Integer.parseInt(a.getOrDefault("count", "200"));
        int bytes = Integer.parseInt(a.getOrDefault("bytes", "300"));
        String topic = "videogen.bench.timing";
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        try (Admin admin = Admin.create(ap)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already there
            }
            String value = "x".repeat(bytes);
            List<Long> nanos = new ArrayList<>();
            try (var producer = producer()) {
                for (int i = 0; i < count + 20; i++) {
                    long t0 = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, "job-" + i, value)).get();
                    if (i >= 20) { // the first sends include metadata and connection set-up
                        nanos.add(System.nanoTime() - t0);
                    }
                }
            }
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            Collections.sort(nanos);
            System.out.printf("kafka_sends=%d bytes=%d p50_ms=%.2f p99_ms=%.2f mean_ms=%.2f%n", count, bytes,
                    pct(nanos, 50), pct(nanos, 99), nanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6);
        }
    }

    // ---------------------------------------------------------------- consumer group members

    static void members(Map<String, String> a) throws Exception {
        String group = a.getOrDefault("group", "generation-worker");
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        try (Admin admin = Admin.create(ap)) {
            var description = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
            List<Integer> counts = new ArrayList<>();
            List<String> lists = new ArrayList<>();
            for (var m : description.members()) {
                List<Integer> mine = m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(REQUESTED))
                        .map(TopicPartition::partition).sorted().toList();
                counts.add(mine.size());
                lists.add(mine.toString().replace(" ", ""));
            }
            Collections.sort(counts);
            Collections.sort(lists);
            System.out.println("members=" + counts.size() + " state=" + description.groupState() + " partitions=" + counts
                    + " assignment=" + String.join(";", lists)
                    + " assigned=" + counts.stream().mapToInt(Integer::intValue).sum());
        }
    }

    // ---------------------------------------------------------------- skip a backlog

    static void skip(Map<String, String> a) throws Exception {
        String group = a.getOrDefault("group", "generation-worker");
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        try (Admin admin = Admin.create(ap)) {
            var partitions = admin.describeTopics(List.of(REQUESTED)).allTopicNames().get().get(REQUESTED).partitions();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new HashMap<>();
            partitions.forEach(p -> specs.put(new TopicPartition(REQUESTED, p.partition()),
                    org.apache.kafka.clients.admin.OffsetSpec.latest()));
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> ends = new HashMap<>();
            long total = 0;
            for (var e : admin.listOffsets(specs).all().get().entrySet()) {
                ends.put(e.getKey(), new org.apache.kafka.clients.consumer.OffsetAndMetadata(e.getValue().offset()));
                total += e.getValue().offset();
            }
            admin.alterConsumerGroupOffsets(group, ends).all().get(30, TimeUnit.SECONDS);
            System.out.println("group=" + group + " skipped_to_end_records=" + total);
        }
    }

    // ---------------------------------------------------------------- events topic report

    static final Pattern FIELD = Pattern.compile("\"(type|jobId|ownerId|occurredAt|requestedAt|stage|providerRequestId)\"\\s*:\\s*\"([^\"]*)\"");

    static final class Job {
        String owner;
        Instant requested, accepted, started, submitted, storing, terminal;
        String terminalType, providerRequestId;
    }

    static void report(Map<String, String> a) throws Exception {
        String owner = a.get("owner");
        int expect = Integer.parseInt(a.get("expect"));
        long timeout = Long.parseLong(a.getOrDefault("timeout-s", "300"));
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, Job> jobs = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(EVENTS).forEach(info -> parts.add(new TopicPartition(EVENTS, info.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> f = new HashMap<>();
                    Matcher m = FIELD.matcher(r.value());
                    while (m.find()) {
                        f.putIfAbsent(m.group(1), m.group(2));
                    }
                    String jobId = f.get("jobId");
                    if (jobId == null || f.get("occurredAt") == null) {
                        continue;
                    }
                    Job job = jobs.computeIfAbsent(jobId, k -> new Job());
                    Instant at = Instant.parse(f.get("occurredAt"));
                    switch (f.getOrDefault("type", "")) {
                        case "Accepted" -> {
                            job.owner = f.get("ownerId");
                            job.accepted = at;
                            job.requested = f.get("requestedAt") == null ? at : Instant.parse(f.get("requestedAt"));
                        }
                        case "Started" -> job.started = job.started == null ? at : job.started;
                        case "Submitted" -> {
                            job.submitted = at;
                            job.providerRequestId = f.get("providerRequestId");
                        }
                        case "Progressed" -> {
                            if ("storing the video".equals(f.get("stage"))) {
                                job.storing = at;
                            }
                        }
                        case "Completed", "Failed", "Canceled" -> {
                            job.terminal = at;
                            job.terminalType = f.get("type");
                        }
                        default -> {
                        }
                    }
                }
                long done = jobs.values().stream().filter(j -> owner.equals(j.owner) && j.terminal != null).count();
                if (done >= expect) {
                    break;
                }
            }
        }
        List<Job> mine = jobs.values().stream().filter(j -> owner.equals(j.owner)).toList();
        List<Long> e2e = new ArrayList<>(), gen = new ArrayList<>(), over = new ArrayList<>(),
                queue = new ArrayList<>(), store = new ArrayList<>();
        Instant first = null, last = null;
        int completed = 0, failedJobs = 0;
        String out = a.get("out");
        PrintWriter w = out == null ? null : new PrintWriter(Files.newBufferedWriter(Path.of(out)));
        if (w != null) {
            w.println("job_id,requested_at,completed_at,type,e2e_ms,queue_ms,generator_ms,store_ms,overhead_ms,"
                    + "partition,provider_request_id,submitted_at_ms,completed_at_ms,requested_at_ms,storing_at_ms");
        }
        for (var entry : jobs.entrySet()) {
            Job j = entry.getValue();
            if (!owner.equals(j.owner) || j.terminal == null) {
                continue;
            }
            if (!"Completed".equals(j.terminalType)) {
                failedJobs++;
                continue;
            }
            completed++;
            first = first == null || j.requested.isBefore(first) ? j.requested : first;
            last = last == null || j.terminal.isAfter(last) ? j.terminal : last;
            long e = Duration.between(j.requested, j.terminal).toNanos();
            long q = j.started == null ? 0 : Duration.between(j.requested, j.started).toNanos();
            long g = j.storing == null || j.started == null ? 0 : Duration.between(j.started, j.storing).toNanos();
            long s = j.storing == null ? 0 : Duration.between(j.storing, j.terminal).toNanos();
            e2e.add(e);
            gen.add(g);
            over.add(e - g);
            queue.add(q);
            store.add(s);
            if (w != null) {
                w.printf("%s,%s,%s,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%s,%d,%d,%d,%d%n", entry.getKey(), j.requested, j.terminal,
                        j.terminalType, e / 1e6, q / 1e6, g / 1e6, s / 1e6, (e - g) / 1e6, partitionOf(entry.getKey()),
                        j.providerRequestId == null ? "" : j.providerRequestId,
                        j.submitted == null ? 0 : j.submitted.toEpochMilli(), j.terminal.toEpochMilli(),
                        j.requested.toEpochMilli(), j.storing == null ? 0 : j.storing.toEpochMilli());
            }
        }
        if (w != null) {
            w.close();
        }
        for (List<Long> l : List.of(e2e, gen, over, queue, store)) {
            Collections.sort(l);
        }
        int[] perPartition = new int[PARTITIONS];
        for (var entry : jobs.entrySet()) {
            if (owner.equals(entry.getValue().owner)) {
                perPartition[partitionOf(entry.getKey())]++;
            }
        }
        double spanS = first == null ? Double.NaN : Duration.between(first, last).toMillis() / 1000.0;
        System.out.printf("owner=%s jobs=%d completed=%d failed=%d span_s=%.2f jobs_per_min=%.2f "
                        + "e2e_p50_ms=%.1f e2e_p99_ms=%.1f gen_p50_ms=%.1f overhead_p50_ms=%.1f overhead_p99_ms=%.1f "
                        + "overhead_max_ms=%.1f queue_p50_ms=%.1f queue_p99_ms=%.1f store_p50_ms=%.1f store_p99_ms=%.1f "
                        + "per_partition=%s%n",
                owner, mine.size(), completed, failedJobs, spanS, completed / spanS * 60.0,
                pct(e2e, 50), pct(e2e, 99), pct(gen, 50), pct(over, 50), pct(over, 99),
                over.isEmpty() ? Double.NaN : over.get(over.size() - 1) / 1e6,
                pct(queue, 50), pct(queue, 99), pct(store, 50), pct(store, 99),
                java.util.Arrays.toString(perPartition).replace(" ", ""));
    }

    static final int PARTITIONS = 12;

    /** The partition Kafka's default partitioner picks for a key (murmur2 of its UTF-8 bytes), as the gateway sends. */
    static int partitionOf(String key) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % PARTITIONS;
    }
}
