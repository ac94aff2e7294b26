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

    /**
     * Event-to-SSE latency. The jobs are requested, then Started (a Progressed event only ever follows Started, so the
     * jobs are running, as for a real generation), then N streams are opened on target= (status or gateway), each
     * with its snapshot read, then Progressed events are published one job after another. With floor=true the same
     * client first measures itself against a reference server in this JVM that writes the same frames at the same
     * pace on N local streams (no Kafka, no Redis, no Spring): what the client and loopback alone cost.
     */
    static void sse(Map<String, String> a) throws Exception {
        String status = a.get("status");
        String target = a.getOrDefault("target", status);
        String owner = a.get("owner");
        int streams = Integer.parseInt(a.get("streams"));
        boolean same = "same".equals(a.getOrDefault("mode", "distinct"));
        int events = Integer.parseInt(a.getOrDefault("events", "200"));
        long intervalMs = Long.parseLong(a.getOrDefault("interval-ms", "20"));
        String run = a.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
        boolean viaGateway = !target.equals(status);
        int jobCount = same ? 1 : streams;
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < jobCount; i++) {
            jobs.add("bench-sse-" + run + "-" + i);
        }
        Floor floor = Boolean.parseBoolean(a.getOrDefault("floor", "false"))
                ? floor(streams, same, events, intervalMs) : null;

        var producer = producer();
        for (String job : jobs) {
            producer.send(new ProducerRecord<>(REQUESTED, job, requestJson(job, owner)));
        }
        producer.flush();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(2)).connectTimeout(Duration.ofSeconds(10)).build();
        String cookie = viaGateway ? "videogen_owner=" + signedOwner(owner) : null;
        awaitJobs(client, status, owner, jobs, "\"status\":\"queued\"");
        for (String job : jobs) { // running, as a job that emits Progressed is
            producer.send(new ProducerRecord<>(EVENTS, job, startedJson(job, 1)));
        }
        producer.flush();
        awaitJobs(client, status, owner, jobs, "\"status\":\"running\"");
        // the polling reference: what a client polling every 2 s pays per GET, against the same target
        List<Long> getNanos = new ArrayList<>();
        int getTimeouts = 0;
        for (int i = 0; i < 200; i++) {
            HttpRequest get = jobGet(target, jobs.get(i % jobCount), owner, cookie);
            long t0 = System.nanoTime();
            try {
                client.send(get, HttpResponse.BodyHandlers.discarding());
                getNanos.add(System.nanoTime() - t0);
            } catch (java.net.http.HttpTimeoutException e) {
                getTimeouts++;
            }
        }

        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        URI base = URI.create(target);
        SseStreams sse = new SseStreams(sentAt);
        for (int i = 0; i < streams; i++) {
            String job = jobs.get(same ? 0 : i);
            sse.open(base.getHost(), base.getPort(), "/api/video-jobs/" + job + "/events", job,
                    viaGateway ? "Cookie: " + cookie : "X-Videogen-Owner: " + owner);
        }
        // through the gateway, the same jobs are also followed directly on the status service, by a second client
        // thread: per event, gateway arrival - direct arrival is what the proxy hop costs, whatever the fold did
        SseStreams direct = viaGateway && !same ? new SseStreams(sentAt) : null;
        if (direct != null) {
            URI st = URI.create(status);
            for (int i = 0; i < streams; i++) {
                direct.open(st.getHost(), st.getPort(), "/api/video-jobs/" + jobs.get(i) + "/events", jobs.get(i),
                        "X-Videogen-Owner: " + owner);
            }
            direct.start();
            direct.openedLatch.await(120, TimeUnit.SECONDS);
        }
        sse.start();
        boolean allOpen = sse.openedLatch.await(120, TimeUnit.SECONDS);
        long openCount = streams - sse.openedLatch.getCount();
        Thread.sleep(1000);
        System.err.println("streams open: " + openCount + "/" + streams + " (failed " + sse.failed.get() + ")");

        double[] lagBefore = foldLag(client, status);
        Map<String, Long> seqs = new HashMap<>();
        Random random = new Random(42);
        for (int k = 0; k < events; k++) {
            String job = jobs.get(same ? 0 : k % jobCount);
            long seq = seqs.merge(job, 1L, Long::sum) + 1;
            String value = progressedJson(job, seq, (int) Math.min(99, seq));
            sentAt.put(job + "#" + seq, System.nanoTime());
            producer.send(new ProducerRecord<>(EVENTS, job, value));
            Thread.sleep(intervalMs + (intervalMs > 0 ? random.nextInt((int) Math.max(1, intervalMs / 2)) : 0));
        }
        long expected = same ? (long) events * openCount : events;
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (sse.received.get() < expected && System.nanoTime() < waitUntil) {
            Thread.sleep(50);
        }
        double[] lagAfter = foldLag(client, status);
        sse.close();
        List<Long> directMs = new ArrayList<>();
        List<Long> proxyMs = new ArrayList<>();
        if (direct != null) {
            direct.close();
            directMs.addAll(direct.latencies);
            Collections.sort(directMs);
            sse.arrivals.forEach((key, at) -> {
                Long d = direct.arrivals.get(key);
                if (d != null) {
                    proxyMs.add(at - d);
                }
            });
            Collections.sort(proxyMs);
        }
        List<Long> ms = new ArrayList<>(sse.latencies);
        Collections.sort(ms);
        String out = a.get("out");
        if (out != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(out)))) {
                w.println("latency_ms");
                for (long n : ms) {
                    w.printf("%.3f%n", n / 1e6);
                }
            }
            if (floor != null) {
                try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(out.replace(".csv", "-floor.csv"))))) {
                    w.println("latency_ms");
                    for (long n : floor.sorted) {
                        w.printf("%.3f%n", n / 1e6);
                    }
                }
            }
        }
        Collections.sort(getNanos);
        double foldCount = lagAfter[1] - lagBefore[1];
        System.out.printf("target=%s streams=%d mode=%s open=%d failed=%d events=%d delivered=%d expected=%d "
                        + "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f "
                        + "get_p50_ms=%.2f get_p99_ms=%.2f get_timeouts=%d floor_p50_ms=%.2f floor_p99_ms=%.2f "
                        + "fold_lag_mean_ms=%.2f fold_lag_p99_ms=%.2f fold_apply_mean_ms=%.2f "
                        + "direct_p50_ms=%.2f direct_p99_ms=%.2f proxy_p50_ms=%.2f proxy_p99_ms=%.2f%n",
                viaGateway ? "gateway" : "status", streams, same ? "same" : "distinct", openCount, sse.failed.get(),
                events, ms.size(), expected,
                pct(ms, 50), pct(ms, 90), pct(ms, 99), ms.isEmpty() ? Double.NaN : ms.get(ms.size() - 1) / 1e6,
                ms.stream().mapToLong(Long::longValue).average().orElse(Double.NaN) / 1e6,
                pct(getNanos, 50), pct(getNanos, 99), getTimeouts,
                floor == null ? Double.NaN : pct(floor.sorted, 50), floor == null ? Double.NaN : pct(floor.sorted, 99),
                foldCount > 0 ? (lagAfter[0] - lagBefore[0]) / foldCount * 1000 : Double.NaN, lagAfter[2] * 1000,
                lagAfter[4] > lagBefore[4] ? (lagAfter[3] - lagBefore[3]) / (lagAfter[4] - lagBefore[4]) * 1000 : Double.NaN,
                pct(directMs, 50), pct(directMs, 99), pct(proxyMs, 50), pct(proxyMs, 99));
        if (!allOpen) {
            System.err.println("warning: not every stream opened");
        }
        producer.close(Duration.ofSeconds(5));
    }

    static String startedJson(String jobId, long seq) {
        return "{\"type\":\"Started\",\"eventId\":" + q(UUID.randomUUID().toString()) + ",\"jobId\":" + q(jobId)
                + ",\"sequence\":" + seq + ",\"occurredAt\":" + q(Instant.now().toString()) + ",\"generator\":\"bench\"}";
    }

    /** With a timeout: now and then a keep-alive GET gets no answer (docs/benchmarks.md, findings). */
    static HttpRequest jobGet(String base, String job, String owner, String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/video-jobs/" + job))
                .timeout(Duration.ofSeconds(5));
        return (cookie == null ? b.header("X-Videogen-Owner", owner) : b.header("Cookie", cookie)).build();
    }

    /** Waits until every job's JSON (from the status service) contains the given text. */
    static void awaitJobs(HttpClient client, String status, String owner, List<String> jobs, String contains)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (String job : jobs) {
            while (true) {
                HttpResponse<String> r;
                try {
                    r = client.send(jobGet(status, job, owner, null), HttpResponse.BodyHandlers.ofString());
                } catch (java.net.http.HttpTimeoutException e) {
                    continue;
                }
                if (r.statusCode() == 200 && r.body().contains(contains)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("job " + job + " never showed " + contains + " (" + r.statusCode() + ")");
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * The status service's fold metrics: {lag sum s, lag count, lag p99 s, apply sum s, apply count}; lag = record
     * timestamp to announced, apply = reading, writing and announcing (the rest of the lag is Kafka delivery).
     */
    static double[] foldLag(HttpClient client, String status) {
        double[] r = {0, 0, Double.NaN, 0, 0};
        try {
            String body = client.send(HttpRequest.newBuilder(URI.create(status + "/actuator/prometheus"))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith("videogen_fold_lag_seconds_sum")) {
                    r[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("videogen_fold_lag_seconds_count")) {
                    r[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("videogen_fold_lag_seconds{") && line.contains("quantile=\"0.99\"")) {
                    r[2] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("videogen_fold_apply_seconds_sum")) {
                    r[3] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } else if (line.startsWith("videogen_fold_apply_seconds_count")) {
                    r[4] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            // no metric: the summary shows NaN
        }
        return r;
    }

    /** The owner cookie the gateway itself would set (ownerId.HMAC-SHA256, key VIDEOGEN_OWNER_KEY). */
    static String signedOwner(String owner) throws Exception {
        String key = System.getenv("VIDEOGEN_OWNER_KEY");
        if (key == null || key.isBlank()) {
            throw new IllegalStateException("VIDEOGEN_OWNER_KEY is needed to talk to the gateway as an owner");
        }
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return owner + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(owner.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    record Floor(List<Long> sorted) {
    }

    /**
     * The client's own cost: a reference SSE server in this JVM (one thread, non-blocking sockets, frames written as
     * soon as they are due) with the same streams, events, pace and frame size; the same client reads them.
     */
    static Floor floor(int streams, boolean same, int events, long intervalMs) throws Exception {
        // BENCH_FLOOR_PORT: a fixed port for the reference server (machines where ports must come from a range)
        int floorPort = Integer.parseInt(System.getenv().getOrDefault("BENCH_FLOOR_PORT", "0"));
        var server = java.nio.channels.ServerSocketChannel.open().bind(new java.net.InetSocketAddress("127.0.0.1", floorPort), streams + 16);
        int port = ((java.net.InetSocketAddress) server.getLocalAddress()).getPort();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        SseStreams sse = new SseStreams(sentAt);
        List<java.nio.channels.SocketChannel> accepted = new ArrayList<>();
        int jobCount = same ? 1 : streams;
        for (int i = 0; i < streams; i++) {
            sse.open("127.0.0.1", port, "/floor", "floor-" + (same ? 0 : i), "X-Floor: 1");
        }
        for (int i = 0; i < streams; i++) {
            accepted.add(server.accept()); // accepted in the order the client connected
        }
        String body = progressedJson("floor", 1, 1).replace("Progressed", "FloorFrame"); // about a job's size
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < streams; i++) {
            writeFully(accepted.get(i), head);
            writeFully(accepted.get(i), chunk("id:0\ndata:" + body + "\n\n"));
        }
        sse.start();
        sse.openedLatch.await(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        Random random = new Random(42);
        for (int k = 0; k < events; k++) {
            int job = same ? 0 : k % jobCount;
            long seq = k / jobCount + 1;
            byte[] frame = chunk("id:" + seq + "\ndata:" + body + "\n\n");
            sentAt.put("floor-" + job + "#" + seq, System.nanoTime());
            for (int i = 0; i < streams; i++) {
                if (same || i == job) {
                    writeFully(accepted.get(i), frame);
                }
            }
            Thread.sleep(intervalMs + (intervalMs > 0 ? random.nextInt((int) Math.max(1, intervalMs / 2)) : 0));
        }
        long expected = same ? (long) events * streams : events;
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sse.received.get() < expected && System.nanoTime() < waitUntil) {
            Thread.sleep(20);
        }
        sse.close();
        for (var c : accepted) {
            c.close();
        }
        server.close();
        List<Long> sorted = new ArrayList<>(sse.latencies);
        Collections.sort(sorted);
        System.err.printf("floor: %d/%d frames, p50 %.2f ms, p99 %.2f ms%n", sorted.size(), expected, pct(sorted, 50),
                pct(sorted, 99));
        return new Floor(sorted);
    }

    static byte[] chunk(String data) {
        byte[] d = data.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] h = (Integer.toHexString(d.length) + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] c = new byte[h.length + d.length + 2];
        System.arraycopy(h, 0, c, 0, h.length);
        System.arraycopy(d, 0, c, h.length, d.length);
        c[c.length - 2] = '\r';
        c[c.length - 1] = '\n';
        return c;
    }

    static void writeFully(java.nio.channels.SocketChannel channel, byte[] bytes) throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Many SSE streams read by ONE thread with one selector (non-blocking sockets, HTTP/1.1, chunked or plain
     * bodies): little work per frame, so the client costs the machine as little as possible. Latency = the time the
     * {@code data:} line of a frame with a known {@code id:} is read, minus the send time of that event.
     */
    static final class SseStreams {
        final Map<String, Long> sentAt;
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final Map<String, Long> arrivals = new ConcurrentHashMap<>(); // job#id -> first arrival (nanoTime)
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final java.nio.channels.Selector selector;
        final List<Conn> conns = new ArrayList<>();
        volatile boolean running = true;
        Thread thread;

        SseStreams(Map<String, Long> sentAt) throws IOException {
            this.sentAt = sentAt;
            this.selector = java.nio.channels.Selector.open();
        }

        CountDownLatch openedLatch; // set by start(), once the number of streams is known

        void open(String host, int port, String path, String job, String authHeader) throws IOException {
            var ch = java.nio.channels.SocketChannel.open(new java.net.InetSocketAddress(host, port));
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            writeFully(ch, ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: text/event-stream\r\n"
                    + authHeader + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ch.configureBlocking(false);
            conns.add(new Conn(ch, job));
        }

        void start() throws IOException {
            openedLatch = new CountDownLatch(conns.size());
            for (Conn c : conns) {
                c.channel.register(selector, java.nio.channels.SelectionKey.OP_READ, c);
            }
            thread = new Thread(this::loop, "sse-client");
            thread.setDaemon(true);
            thread.start();
        }

        void loop() {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(64 * 1024);
            byte[] bytes = new byte[64 * 1024];
            try {
                while (running) {
                    selector.select(200);
                    long now = System.nanoTime();
                    var it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        var key = it.next();
                        it.remove();
                        Conn c = (Conn) key.attachment();
                        buffer.clear();
                        int n;
                        try {
                            n = c.channel.read(buffer);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n < 0) {
                            key.cancel();
                            if (!c.done) {
                                c.done = true;
                                failed.incrementAndGet();
                            }
                            continue;
                        }
                        buffer.flip();
                        buffer.get(bytes, 0, n);
                        c.feed(bytes, n, now, this);
                    }
                }
            } catch (IOException e) {
                failed.incrementAndGet();
            }
        }

        void close() throws Exception {
            running = false;
            selector.wakeup();
            if (thread != null) {
                thread.join(2000);
            }
            for (Conn c : conns) {
                c.done = true;
                c.channel.close();
            }
            selector.close();
        }
    }

    /** One stream: response head, then a chunked (or plain) body split into SSE lines. */
    static final class Conn {
        final java.nio.channels.SocketChannel channel;
        final String job;
        boolean headDone, chunked, first = true, done;
        int chunkLeft = -1; // -1: reading a chunk-size line; 0: reading the CRLF after a chunk
        final StringBuilder line = new StringBuilder();
        final StringBuilder head = new StringBuilder();
        String id;

        Conn(java.nio.channels.SocketChannel channel, String job) {
            this.channel = channel;
            this.job = job;
        }

        void feed(byte[] b, int n, long now, SseStreams s) {
            int i = 0;
            if (!headDone) {
                for (; i < n && !headDone; i++) {
                    head.append((char) b[i]);
                    int len = head.length();
                    if (len >= 4 && head.charAt(len - 1) == '\n' && head.charAt(len - 2) == '\r'
                            && head.charAt(len - 3) == '\n' && head.charAt(len - 4) == '\r') {
                        headDone = true;
                        String h = head.toString().toLowerCase();
                        if (!h.startsWith("http/1.1 200")) {
                            done = true;
                            s.failed.incrementAndGet();
                            return;
                        }
                        chunked = h.contains("transfer-encoding: chunked");
                    }
                }
            }
            while (i < n) {
                if (!chunked) {
                    body(b[i++], now, s);
                    continue;
                }
                if (chunkLeft > 0) {
                    body(b[i++], now, s);
                    chunkLeft--;
                    if (chunkLeft == 0) {
                        chunkLeft = -2; // the CRLF after the data
                    }
                } else if (chunkLeft == -2) {
                    if (b[i++] == '\n') {
                        chunkLeft = -1;
                    }
                } else { // chunk-size line
                    char ch = (char) b[i++];
                    if (ch == '\n') {
                        String size = line.toString().strip();
                        line.setLength(0);
                        int semi = size.indexOf(';');
                        chunkLeft = Integer.parseInt(semi >= 0 ? size.substring(0, semi) : size, 16);
                        if (chunkLeft == 0) {
                            chunkLeft = -2;
                        }
                    } else if (ch != '\r') {
                        line.append(ch);
                    }
                }
            }
        }

        private final StringBuilder sse = new StringBuilder();

        private void body(byte c, long now, SseStreams s) {
            if (c != '\n') {
                if (sse.length() < 16) { // only the field name and an id matter here
                    sse.append((char) c);
                }
                return;
            }
            String l = sse.toString();
            sse.setLength(0);
            if (l.isEmpty()) {
                id = null;
            } else if (l.startsWith("id:")) {
                id = l.substring(3).strip();
            } else if (l.startsWith("data:")) {
                if (first) {
                    first = false;
                    s.openedLatch.countDown();
                    return;
                }
                Long t0 = id == null ? null : s.sentAt.get(job + "#" + id);
                if (t0 != null) {
                    s.arrivals.putIfAbsent(job + "#" + id, now);
                    s.latencies.add(now - t0);
                    s.received.incrementAndGet();
                }
            }
        }
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
