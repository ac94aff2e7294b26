package dev.videogen.e2e;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationParams;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The foundation's promise, end to end on real processes: ./run.sh starts Kafka, Redis, the S3 server and every
 * service; an upload becomes a playable video; a bad request from another producer becomes a failed job; stopping
 * leaves nothing running; starting again still has the job and its video.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    private static LocalSystem system;
    private static Api user;
    private static byte[] png;
    private static String jobId;
    /** A HuggingFace token the system is started with (the generator stays the demo): no log may show it. */
    private static final String HF_TOKEN_CANARY = "hf_e2eCanary" + Long.toHexString(System.nanoTime());

    @BeforeAll
    static void startSystem() throws Exception {
        Path data = Path.of("target", "e2e-data-" + System.currentTimeMillis()).toAbsolutePath();
        system = new LocalSystem(data, 18000)
                .withEnv("HF_TOKEN", HF_TOKEN_CANARY)
                .withEnv("VIDEOGEN_GENERATOR", "demo");
        for (int port : system.ports) {
            assertThat(LocalSystem.listening(port)).as("port %d must be free for the test system", port).isFalse();
        }
        system.start();
        user = new Api(system.gateway());
        png = image(640, 360, "png");
    }

    @AfterAll
    static void stopSystem() throws Exception {
        if (system != null) {
            system.stop();
        }
    }

    @Test
    @Order(1)
    void anUploadBecomesAPlayableVideo() throws Exception {
        HttpResponse<String> accepted = user.submit(png, "dawn.png", "image/png", Map.of("prompt", "A calm ocean at dawn"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode job = Api.json(accepted);
        jobId = job.get("jobId").asString();
        assertThat(accepted.headers().firstValue("Location")).hasValue("/api/video-jobs/" + jobId);
        assertThat(accepted.headers().firstValue("Set-Cookie")).get().asString()
                .contains("videogen_owner=").containsIgnoringCase("HttpOnly").contains("SameSite=Lax");
        assertThat(job.get("status").asString()).isEqualTo("queued");

        JsonNode done = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> user.job(jobId), j -> j.get("status").asString().matches("succeeded|failed"));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("progress").asInt()).isEqualTo(100);
        assertThat(done.get("videoUrl").asString()).isEqualTo("/api/video-blob/" + jobId);

        HttpResponse<byte[]> video = user.getBytes(done.get("videoUrl").asString());
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(new String(video.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(video.body().length).isGreaterThan(10_000);

        HttpResponse<byte[]> range = user.getBytes(done.get("videoUrl").asString(), "Range", "bytes=100-199");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(video.body(), 100, 200));
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 100-199/" + video.body().length);

        HttpResponse<byte[]> poster = user.getBytes(done.get("posterUrl").asString());
        assertThat(poster.statusCode()).isEqualTo(200);
        assertThat(poster.body()).startsWith((byte) 0xFF, (byte) 0xD8);

        HttpResponse<byte[]> input = user.getBytes(done.get("imageUrl").asString());
        assertThat(input.body()).isEqualTo(png);
        assertThat(input.headers().firstValue("Content-Type")).hasValue("image/png");

        JsonNode history = Api.json(user.get("/api/video-jobs"));
        assertThat(history.get("items").get(0).get("jobId").asString()).isEqualTo(jobId);
    }

    @Test
    @Order(2)
    void anotherOwnerSeesNothing() throws Exception {
        Api stranger = new Api(system.gateway());
        for (String path : new String[] {"/api/video-jobs/" + jobId, "/api/video-blob/" + jobId,
                "/api/video-blob/" + jobId + "/poster", "/api/video-jobs/" + jobId + "/image"}) {
            HttpResponse<byte[]> response = stranger.getBytes(path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
        }
        assertThat(Api.json(stranger.get("/api/video-jobs")).get("items").size()).isZero();
    }

    @Test
    @Order(3)
    void liveEventsStartWithTheCurrentStateAndEndAfterTheTerminalOne() throws Exception {
        HttpResponse<String> events = user.get("/api/video-jobs/" + jobId + "/events");
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
        assertThat(events.body()).containsPattern("id: ?\\d+").contains("\"status\":\"succeeded\"");
    }

    @Test
    @Order(4)
    void badInputIsAClearProblemNeverA5xx() throws Exception {
        HttpResponse<String> notAnImage = user.submit("hello".getBytes(), "x.png", "image/png", Map.of("prompt", "p"));
        assertThat(notAnImage.statusCode()).isEqualTo(415);
        assertThat(Api.json(notAnImage).get("detail").asString()).isEqualTo("The image must be a JPEG, PNG or WebP file.");

        HttpResponse<String> noPrompt = user.submit(png, "a.png", "image/png", Map.of("prompt", "  "));
        assertThat(noPrompt.statusCode()).isEqualTo(400);
        assertThat(Api.json(noPrompt).get("detail").asString()).isEqualTo("Write a prompt of 1 to 2000 characters.");

        HttpResponse<String> badSteps = user.submit(png, "a.png", "image/png", Map.of("prompt", "p", "steps", "99"));
        assertThat(badSteps.statusCode()).isEqualTo(400);

        HttpResponse<String> unknown = user.get("/api/nothing-here");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Api.json(unknown).get("status").asInt()).isEqualTo(404);

        HttpResponse<String> wrongMethod = user.send("PUT", "/api/generate-video");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    @Order(5)
    void aRequestFromAnotherProducerThatBreaksTheRulesEndsFailedWithAReason() throws Exception {
        String external = "ext-" + System.nanoTime();
        var request = new GenerationRequested(external, "billing-system", "A calm ocean at dawn",
                "https://not-allowed.example/ocean.png", GenerationParams.NONE, Instant.now());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.kafka());
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTED, external, EventJson.write(request))).get();
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest asOwner = HttpRequest.newBuilder(URI.create(system.status() + "/api/video-jobs/" + external))
                .header("X-Videogen-Owner", "billing-system").build();
        JsonNode failed = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    HttpResponse<String> r = http.send(asOwner, HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 ? Api.JSON.readTree(r.body()) : null;
                }, j -> j != null && j.get("status").asString().equals("failed"));
        assertThat(failed.get("error").get("type").asString()).isEqualTo("urn:videogen:error:image-rejected");
        assertThat(failed.get("error").get("detail").asString()).contains("not-allowed.example");
    }

    @Test
    @Order(6)
    void theSameIdempotencyKeyGivesTheOriginalJobAndADifferentBodyIsRefused() throws Exception {
        Api client = new Api(system.gateway());
        HttpResponse<String> first = client.submit(png, "a.png", "image/png", Map.of("prompt", "once"),
                "Idempotency-Key", "order-42");
        HttpResponse<String> again = client.submit(png, "a.png", "image/png", Map.of("prompt", "once"),
                "Idempotency-Key", "order-42");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(Api.json(again).get("jobId").asString()).isEqualTo(Api.json(first).get("jobId").asString());

        HttpResponse<String> different = client.submit(png, "a.png", "image/png", Map.of("prompt", "something else"),
                "Idempotency-Key", "order-42");
        assertThat(different.statusCode()).isEqualTo(422);
        assertThat(different.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        await().atMost(Duration.ofSeconds(30)).until(() -> Api.json(client.get("/api/video-jobs")).get("items").size() == 1);
        assertThat(Api.json(client.get("/api/video-jobs")).get("items").size()).isEqualTo(1);
    }

    @Test
    @Order(7)
    void submissionsPastTheLimitAreTooManyWithRetryAfter() throws Exception {
        Api eager = new Api(system.gateway());
        byte[] notAnImage = "not an image".getBytes();
        HttpResponse<String> last = null;
        for (int i = 0; i < 31; i++) {
            last = eager.submit(notAnImage, "x.png", "image/png", Map.of("prompt", "p"));
            if (last.statusCode() == 429) {
                break;
            }
            assertThat(last.statusCode()).isEqualTo(415);
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).get().asString().matches("\\d+");
        assertThat(Api.json(last).get("status").asInt()).isEqualTo(429);
        // another owner is not affected
        assertThat(new Api(system.gateway()).submit(notAnImage, "x.png", "image/png", Map.of("prompt", "p")).statusCode())
                .isEqualTo(415);
    }

    @Test
    @Order(8)
    void anApiClientWithABearerKeyActsAsItsOwner() throws Exception {
        Api client = new Api(system.gateway(), "Authorization", "Bearer " + LocalSystem.API_KEY);
        HttpResponse<String> accepted = client.submit(png, "a.png", "image/png", Map.of("prompt", "by api"));
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = Api.json(accepted).get("jobId").asString();
        JsonNode byApi = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> client.job(id), j -> true);
        assertThat(byApi.get("prompt").asString()).isEqualTo("by api");
        assertThat(new Api(system.gateway()).get("/api/video-jobs/" + id).statusCode()).isEqualTo(404);

        HttpResponse<String> wrongKey = new Api(system.gateway(), "Authorization", "Bearer nope").get("/api/video-jobs");
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(wrongKey.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    @Order(9)
    void manyRandomMalformedRequestsNeverGetA5xx() throws Exception {
        java.util.Random random = new java.util.Random(20261125);
        String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
        String[] paths = {"/api/generate-video", "/api/video-jobs", "/api/video-jobs/" + jobId, "/api/video-jobs/%ZZ",
                "/api/video-jobs/" + jobId + "/events", "/api/video-jobs/" + jobId + "/cancel", "/api/video-blob/" + jobId,
                "/api/video-blob/" + jobId + "/poster", "/api/video-jobs/" + jobId + "/image", "/api/video-jobs?limit=abc",
                "/api/video-jobs?limit=1000", "/api/video-jobs?cursor=!!!", "/api/video-blob/..%2F..%2Fetc", "/x",
                "/api/video-jobs/" + "a".repeat(300), "/actuator/env", "/api/video-jobs/%00"};
        String[] contentTypes = {"multipart/form-data; boundary=zz", "multipart/form-data", "application/json",
                "text/plain", "image/png", "multipart/form-data; boundary=\"unterminated"};
        int checked = 0;
        java.util.List<String> timedOut = new java.util.ArrayList<>();
        // one client for all of it: its connections are kept alive, so a request left unanswered on a reused
        // connection (or a body the server left unread) shows up as a timeout here
        HttpClient kept = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 300; i++) {
            String method = methods[random.nextInt(methods.length)];
            String path = paths[random.nextInt(paths.length)];
            byte[] body = new byte[random.nextInt(2048)];
            random.nextBytes(body);
            HttpRequest.Builder request;
            try {
                request = HttpRequest.newBuilder(URI.create(system.gateway() + path)).timeout(Duration.ofSeconds(10));
            } catch (IllegalArgumentException invalidUri) {
                continue;
            }
            request.method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            request.header("Content-Type", contentTypes[random.nextInt(contentTypes.length)]);
            if (random.nextBoolean()) {
                request.header("Range", random.nextBoolean() ? "bytes=" + random.nextInt() + "-" + random.nextInt() : "bytes=x-y,,");
            }
            if (random.nextInt(4) == 0) {
                request.header("Last-Event-ID", Long.toString(random.nextLong()));
            }
            if (random.nextInt(4) == 0) {
                request.header("Idempotency-Key", "k" + random.nextInt(5));
            }
            HttpResponse<String> response;
            try {
                response = kept.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) {
                timedOut.add(method + " " + path);
                continue;
            }
            assertThat(response.statusCode()).as("%s %s", method, path).isLessThan(500);
            if (response.statusCode() >= 400 && !method.equals("HEAD")) {
                assertThat(response.headers().firstValue("Content-Type")).as("%s %s -> %d", method, path,
                        response.statusCode()).hasValue("application/problem+json");
            }
            checked++;
        }
        assertThat(timedOut).as("requests that got no answer").isEmpty();
        assertThat(checked).isGreaterThan(250);
    }

    @Test
    @Order(9)
    void aKeptAliveConnectionIsAnsweredRequestAfterRequest() throws Exception {
        // Reactor Netty 1.3.6 stopped answering such a connection after tens to hundreds of requests whose response
        // was written off the event loop (Redis-backed routes, health): one socket, requests one after the other
        String[] paths = {"/api/video-jobs?limit=1", "/actuator/health", "/api/video-jobs/" + jobId};
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", system.gatewayPort)) {
            socket.setSoTimeout(5_000);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 1500; i++) {
                String path = paths[i % paths.length];
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                int status;
                try {
                    status = readResponse(in);
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("request " + (i + 1) + " (" + path + ") on a kept-alive connection got no answer", e);
                }
                assertThat(status).as("request %d: %s", i + 1, path).isIn(200, 404);
            }
        }
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked) and returns its status. */
    private static int readResponse(java.io.InputStream in) throws IOException {
        String statusLine = readLine(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(readLine(in).trim(), 16); size > 0; size = Long.parseLong(readLine(in).trim(), 16)) {
                in.readNBytes((int) size);
                readLine(in);
            }
            readLine(in);
        } else if (length > 0) {
            in.readNBytes((int) length);
        }
        return status;
    }

    private static String readLine(java.io.InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection was closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Test
    @Order(10)
    void stoppingLeavesNothingRunningAndARestartKeepsTheJobAndItsVideo() throws Exception {
        int exit = system.stop();
        assertThat(exit).as(system.log()).isZero();
        for (int port : system.ports) {
            assertThat(LocalSystem.listening(port)).as("port %d after stop", port).isFalse();
        }
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(system.dataDir().toString())))
                .as("processes started for %s", system.dataDir()).isEmpty();

        system.start();
        JsonNode job = user.job(jobId);
        assertThat(job.get("status").asString()).isEqualTo("succeeded");
        HttpResponse<byte[]> video = user.getBytes(job.get("videoUrl").asString());
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(new String(video.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
    }

    @Test
    @Order(2)
    void aJobIsOneTraceFromItsRequestRecordToItsLastEventAndEveryServiceHasItsMetrics() throws Exception {
        Map<String, java.util.List<String>> traceIds = new java.util.TreeMap<>();
        Properties config = new Properties();
        config.put("bootstrap.servers", system.kafka());
        config.put("group.id", "e2e-trace-" + System.nanoTime());
        config.put("auto.offset.reset", "earliest");
        config.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        config.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(config)) {
            consumer.subscribe(java.util.List.of(Topics.REQUESTED, Topics.EVENTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (jobId.equals(record.key())) {
                        var header = record.headers().lastHeader("traceparent");
                        String type = record.topic().equals(Topics.REQUESTED) ? "Requested"
                                : EventJson.readEvent(record.value()).getClass().getSimpleName();
                        traceIds.computeIfAbsent(header == null ? "none" : new String(header.value(),
                                StandardCharsets.UTF_8).split("-")[1], k -> new java.util.ArrayList<>()).add(type);
                    }
                }
                return traceIds.values().stream().flatMap(java.util.List::stream)
                        .anyMatch(type -> type.equals("GenerationCompleted"));
            });
        }
        // the gateway's record and every event the worker published, the last ones from callbacks long after
        assertThat(traceIds).as("trace ids of the records of job %s", jobId).hasSize(1).doesNotContainKey("none");
        assertThat(traceIds.values().iterator().next()).contains("Requested", "GenerationAccepted",
                "GenerationStarted", "GenerationCompleted");
        String traceId = traceIds.keySet().iterator().next();
        // ... and the lines the services logged about the job name that trace and the job
        Path logs = system.dataDir().resolve("logs");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String service : new String[] {"gateway-service", "generation-worker-0"}) {
                assertThat(Files.readAllLines(logs.resolve(service + ".log"))).as(service)
                        .anySatisfy(line -> assertThat(line).contains(traceId, "[" + jobId + "]"));
            }
        });

        Map<Integer, String[]> expected = Map.of(
                system.gatewayPort, new String[] {"videogen_jobs_submitted_total",
                        "videogen_gateway_upload_duration_seconds_bucket"},
                system.workerPort, new String[] {"videogen_worker_jobs_total", "outcome=\"canceled\"",
                        "videogen_worker_job_queue_time_seconds_bucket", "videogen_worker_job_run_time_seconds_bucket",
                        "kafka_consumer_fetch_manager_records_lag_max"},
                system.statusPort, new String[] {"videogen_sse_streams", "videogen_fold_events_total",
                        "kafka_consumer_fetch_manager_records_lag_max"},
                system.mediaPort, new String[] {"videogen_media_download_time_seconds_bucket"});
        for (var service : expected.entrySet()) {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + service.getKey() + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).as("metrics on port %d", service.getKey()).contains(service.getValue())
                    .doesNotContain(jobId);
        }
    }

    @Test
    @Order(11)
    void noLogOfAnyServiceContainsASecretItWasStartedWith() throws Exception {
        Properties secrets = new Properties();
        try (var in = Files.newInputStream(system.dataDir().resolve("secrets.env"))) {
            secrets.load(in);
        }
        Map<String, String> secret = Map.of(
                "S3_SECRET_KEY", secrets.getProperty("S3_SECRET_KEY"),
                "VIDEOGEN_OWNER_KEY", secrets.getProperty("VIDEOGEN_OWNER_KEY"),
                "VIDEOGEN_API_KEYS", LocalSystem.API_KEY,
                "HF_TOKEN", HF_TOKEN_CANARY);
        assertThat(secret.values()).allSatisfy(value -> assertThat(value).hasSizeGreaterThan(8));
        java.util.List<Path> files;
        try (var walk = Files.walk(system.dataDir().resolve("logs"))) {
            files = new java.util.ArrayList<>(walk.filter(Files::isRegularFile).toList());
        }
        files.add(system.dataDir().resolveSibling(system.dataDir().getFileName() + "-run.log"));
        assertThat(files).extracting(file -> file.getFileName().toString())
                .contains("gateway-service.log", "generation-worker-0.log", "status-service.log", "media-service.log");
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            secret.forEach((name, value) -> assertThat(text).as("%s in %s", name, file).doesNotContain(value));
        }
    }

    static byte[] image(int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(20, 60, 160), width, height, new Color(250, 140, 40)));
        g.fillRect(0, 0, width, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

}
