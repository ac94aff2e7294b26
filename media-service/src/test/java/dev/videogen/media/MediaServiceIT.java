package dev.videogen.media;

import io.micrometer.core.instrument.MeterRegistry;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.annotation.DirtiesContext;
import redis.embedded.RedisServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service against real infrastructure started here, in this JVM, on free ports: S3Proxy (a real S3 API server,
 * filesystem backend) and a real redis-server. Requests go over real sockets, through Reactor Netty. Here the local
 * cache is off, so every body comes from the object store; {@link MediaServiceCachedIT} runs the same tests with the
 * bodies sent from the cache.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "videogen.media.cache.max-size=0")
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MediaServiceIT {

    private static final String ACCESS_KEY = "media-it-access";
    private static final String SECRET_KEY = "media-it-secret-key";
    private static final String BUCKET = "videos";

    static final String OWNER = "owner-alice";
    private static final String OTHER = "owner-bob";
    static final String JOB = "01JMEDIAIT000000000000VIDEO";
    static final String BIG_JOB = "01JMEDIAIT00000000000000BIG";
    private static final String DELETED_JOB = "01JMEDIAIT00000000000DELETED";
    private static final String PENDING_JOB = "01JMEDIAIT00000000000PENDING";

    /** Odd on purpose, so no range lines up with a chunk. */
    static final int VIDEO_LENGTH = 2 * 1024 * 1024 + 12_345;
    static final int BIG_LENGTH = 50 * 1024 * 1024;

    private static S3Proxy s3;
    private static RedisServer redis;
    private static int redisPort;
    private static Path s3Dir;

    @LocalServerPort
    int port;
    @Autowired
    ReactiveStringRedisTemplate redisTemplate;
    @Autowired
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    MinioClient minio;
    byte[] video;
    byte[] poster;
    private String bigSha256;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        startInfrastructure();
        registry.add("videogen.s3.endpoint", () -> "http://127.0.0.1:" + s3.getPort());
        registry.add("videogen.s3.access-key", () -> ACCESS_KEY);
        registry.add("videogen.s3.secret-key", () -> SECRET_KEY);
        registry.add("videogen.s3.region", () -> "us-east-1");
        registry.add("videogen.s3.videos-bucket", () -> BUCKET);
        registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + redisPort);
    }

    private static synchronized void startInfrastructure() throws Exception {
        if (s3 != null) {
            return;
        }
        s3Dir = Files.createTempDirectory("media-it-s3");
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:0");
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", ACCESS_KEY);
        p.setProperty("s3proxy.credential", SECRET_KEY);
        p.setProperty("jclouds.provider", "filesystem-nio2");
        p.setProperty("jclouds.filesystem.basedir", s3Dir.toString());
        s3 = S3Proxy.Builder.fromProperties(p).blobStore(BlobStores.create("filesystem-nio2", p)).build();
        s3.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> "STARTED".equals(s3.getState()));

        try (ServerSocket socket = new ServerSocket(0)) {
            redisPort = socket.getLocalPort();
        }
        redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        redis.start();
    }

    @AfterAll
    static void stopInfrastructure() throws Exception {
        if (redis != null) {
            redis.stop();
            redis = null;
        }
        if (s3 != null) {
            s3.stop();
            s3 = null;
        }
        if (s3Dir != null) {
            try (Stream<Path> files = Files.walk(s3Dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
            s3Dir = null;
        }
    }

    @BeforeAll
    void storeMedia() throws Exception {
        minio = MinioClient.builder().endpoint("http://127.0.0.1:" + s3.getPort())
                .credentials(ACCESS_KEY, SECRET_KEY).region("us-east-1").build();
        if (!minio.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())) {
            minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
        }
        video = randomBytes(VIDEO_LENGTH, 1);
        poster = jpeg();
        put(JOB + ".mp4", video, "video/mp4");
        put(JOB + ".jpg", poster, "image/jpeg");
        byte[] big = randomBytes(BIG_LENGTH, 2);
        bigSha256 = sha256(big);
        put(BIG_JOB + ".mp4", big, "video/mp4");
        put(DELETED_JOB + ".mp4", video, "video/mp4");

        own(JOB, OWNER, false);
        own(BIG_JOB, OWNER, false);
        own(DELETED_JOB, OWNER, true);
        own(PENDING_JOB, OWNER, false);
    }

    // --- transport

    /** The transport this class's service must run on: epoll by default, though io_uring's classes are there. */
    String expectedTransport() {
        return "epoll";
    }

    @Test
    void servesOverTheTransportItWasGiven() throws Exception {
        HttpResponse<byte[]> info = send(request("/actuator/info", null).GET());
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(json.readTree(info.body()).path("http").path("transport").asString()).isEqualTo(expectedTransport());
    }

    /**
     * Bodies are sent corked (TCP_CORK, as nginx's tcp_nopush), and a corked socket holds a partial segment for up to
     * 200 ms: every response must uncork once its body is written, or each small one would arrive 200 ms late.
     */
    @Test
    void smallResponsesArriveWithoutTheCorkDelay() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            long started = System.nanoTime();
            HttpResponse<byte[]> response = get("/api/video-blob/" + JOB, "Range", "bytes=0-99");
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            assertThat(response.statusCode()).isEqualTo(206);
            assertThat(response.body()).isEqualTo(Arrays.copyOfRange(video, 0, 100));
        }
        millis.sort(null);
        assertThat(millis.get(millis.size() / 2)).as("median of %s ms", millis).isLessThan(150);
    }

    // --- full body and headers

    @Test
    void fullGetStreamsTheExactBytesWithCachingHeaders() throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + JOB);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(video);
        assertThat(header(response, "Content-Type")).isEqualTo("video/mp4");
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(VIDEO_LENGTH));
        assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
        assertThat(header(response, "ETag")).matches("\"[^\"]+\"").doesNotStartWith("W/");
        assertThat(header(response, "Last-Modified")).endsWith("GMT");
        assertThat(header(response, "Cache-Control")).contains("private").contains("max-age=86400");
        assertThat(response.headers().firstValue("Content-Disposition")).isEmpty();
        assertThat(response.headers().firstValue("Content-Range")).isEmpty();
    }

    @Test
    void headAnswersTheHeadersOfGetWithoutABody() throws Exception {
        HttpResponse<byte[]> full = get("/api/video-blob/" + JOB);
        HttpResponse<byte[]> head = head("/api/video-blob/" + JOB);

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "Content-Length")).isEqualTo(String.valueOf(VIDEO_LENGTH));
        assertThat(header(head, "Content-Type")).isEqualTo("video/mp4");
        assertThat(header(head, "Accept-Ranges")).isEqualTo("bytes");
        assertThat(header(head, "ETag")).isEqualTo(header(full, "ETag"));
        assertThat(header(head, "Last-Modified")).isEqualTo(header(full, "Last-Modified"));
        assertThat(header(head, "Cache-Control")).isEqualTo(header(full, "Cache-Control"));

        HttpResponse<byte[]> rangedHead = send(request("/api/video-blob/" + JOB, OWNER).header("Range", "bytes=10-19")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(rangedHead.statusCode()).isEqualTo(206);
        assertThat(rangedHead.body()).isEmpty();
        assertThat(header(rangedHead, "Content-Length")).isEqualTo("10");
        assertThat(header(rangedHead, "Content-Range")).isEqualTo("bytes 10-19/" + VIDEO_LENGTH);
    }

    // --- ranges

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "bytes=0-0,                              0,       0",
            "bytes=0-99,                             0,       99",
            "bytes=1000000-1065535,                  1000000, 1065535",
            "bytes=2000000-,                         2000000, " + (VIDEO_LENGTH - 1),
            "bytes=0-,                               0,       " + (VIDEO_LENGTH - 1),
            "bytes=-1,                               " + (VIDEO_LENGTH - 1) + ", " + (VIDEO_LENGTH - 1),
            "bytes=-70000,                           " + (VIDEO_LENGTH - 70000) + ", " + (VIDEO_LENGTH - 1),
            "bytes=-99999999,                        0,       " + (VIDEO_LENGTH - 1),
            "bytes=2097000-99999999,                 2097000, " + (VIDEO_LENGTH - 1),
            "bytes=5-99999999999999999999999999,     5,       " + (VIDEO_LENGTH - 1),
            "BYTES=16383-16384,                      16383,   16384",
    })
    void everyRangeFormAnswers206WithExactlyThoseBytes(String range, long first, long last) throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + JOB, "Range", range);

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + VIDEO_LENGTH);
        assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(last - first + 1));
        assertThat(header(response, "Content-Type")).isEqualTo("video/mp4");
        assertThat(header(response, "ETag")).isNotBlank();
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(video, (int) first, (int) last + 1));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bytes=" + VIDEO_LENGTH + "-", "bytes=" + (VIDEO_LENGTH + 10) + "-" + (VIDEO_LENGTH + 20),
            "bytes=-0", "bytes=99999999999999999999999-"})
    void anUnsatisfiableRangeAnswers416WithTheLength(String range) throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + JOB, "Range", range);

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes */" + VIDEO_LENGTH);
        assertProblem(response, 416, "urn:videogen:problem:range-not-satisfiable");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bytes=abc", "bytes=5-3", "bytes=-", "pages=0-10", "bytes 0-10", "bytes=0-9,20-29",
            "bytes=1-2-3", "garbage"})
    void aMalformedOrMultipleRangeIsIgnored(String range) throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + JOB, "Range", range);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Range")).isEmpty();
        assertThat(response.body()).isEqualTo(video);
    }

    // --- conditional requests

    @Test
    void ifNoneMatchWithTheCurrentTagAnswers304() throws Exception {
        String etag = header(head("/api/video-blob/" + JOB), "ETag");

        for (String condition : new String[] {etag, "W/" + etag, "\"other\", " + etag, "*"}) {
            HttpResponse<byte[]> response = get("/api/video-blob/" + JOB, "If-None-Match", condition);
            assertThat(response.statusCode()).as(condition).isEqualTo(304);
            assertThat(response.body()).isEmpty();
            assertThat(header(response, "ETag")).isEqualTo(etag);
            assertThat(header(response, "Cache-Control")).contains("max-age=86400");
            assertThat(response.headers().firstValue("Content-Length")).as("a 304 has no content").isEmpty();
        }
        HttpResponse<byte[]> changed = get("/api/video-blob/" + JOB, "If-None-Match", "\"stale\"");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).isEqualTo(video);
    }

    @Test
    void ifModifiedSinceAnswers304UnlessModifiedLater() throws Exception {
        String lastModified = header(head("/api/video-blob/" + JOB), "Last-Modified");
        ZonedDateTime modified = ZonedDateTime.parse(lastModified, DateTimeFormatter.RFC_1123_DATE_TIME);

        HttpResponse<byte[]> same = get("/api/video-blob/" + JOB, "If-Modified-Since", lastModified);
        assertThat(same.statusCode()).isEqualTo(304);
        assertThat(same.body()).isEmpty();

        String dayBefore = DateTimeFormatter.RFC_1123_DATE_TIME.format(modified.minusDays(1).withZoneSameInstant(ZoneOffset.UTC));
        HttpResponse<byte[]> older = get("/api/video-blob/" + JOB, "If-Modified-Since", dayBefore);
        assertThat(older.statusCode()).isEqualTo(200);
        assertThat(older.body()).isEqualTo(video);

        HttpResponse<byte[]> malformed = get("/api/video-blob/" + JOB, "If-Modified-Since", "last tuesday");
        assertThat(malformed.statusCode()).isEqualTo(200);

        HttpResponse<byte[]> tagWins = get("/api/video-blob/" + JOB, "If-None-Match", "\"stale\"",
                "If-Modified-Since", lastModified);
        assertThat(tagWins.statusCode()).isEqualTo(200);
    }

    @Test
    void ifRangeServesThePartOnlyWhileTheValidatorStillMatches() throws Exception {
        HttpResponse<byte[]> validators = head("/api/video-blob/" + JOB);
        String etag = header(validators, "ETag");
        String lastModified = header(validators, "Last-Modified");

        HttpResponse<byte[]> current = get("/api/video-blob/" + JOB, "Range", "bytes=100-199", "If-Range", etag);
        assertThat(current.statusCode()).isEqualTo(206);
        assertThat(current.body()).isEqualTo(Arrays.copyOfRange(video, 100, 200));

        HttpResponse<byte[]> byDate = get("/api/video-blob/" + JOB, "Range", "bytes=100-199", "If-Range", lastModified);
        assertThat(byDate.statusCode()).isEqualTo(206);

        for (String stale : new String[] {"\"stale\"", "W/" + etag, "Mon, 01 Jan 2001 00:00:00 GMT", "junk"}) {
            HttpResponse<byte[]> response = get("/api/video-blob/" + JOB, "Range", "bytes=100-199", "If-Range", stale);
            assertThat(response.statusCode()).as(stale).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Range")).isEmpty();
            assertThat(response.body()).isEqualTo(video);
        }
    }

    @Test
    void ifMatchWithAnotherTagAnswers412() throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + JOB, "If-Match", "\"stale\"");

        assertProblem(response, 412, "urn:videogen:problem:precondition-failed");
    }

    // --- download, poster

    @Test
    void downloadAsksForAnAttachmentWithAFriendlyName() throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + JOB + "?download=1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Disposition"))
                .isEqualTo("attachment; filename=\"videogen-" + JOB + ".mp4\"");
        assertThat(response.body()).isEqualTo(video);
    }

    @Test
    void posterIsTheStoredJpegWithTheSameCaching() throws Exception {
        HttpResponse<byte[]> response = get("/api/video-blob/" + JOB + "/poster");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).isEqualTo("image/jpeg");
        assertThat(response.body()).isEqualTo(poster);
        assertThat(ImageIO.read(new ByteArrayInputStream(response.body()))).isNotNull();
        assertThat(header(response, "Cache-Control")).contains("private").contains("max-age=86400");
        String etag = header(response, "ETag");
        assertThat(get("/api/video-blob/" + JOB + "/poster", "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(header(get("/api/video-blob/" + JOB + "/poster?download=1"), "Content-Disposition"))
                .isEqualTo("attachment; filename=\"videogen-" + JOB + ".jpg\"");
    }

    // --- isolation and absence

    @Test
    void anotherOwnerGets404ProblemAndNoBytes() throws Exception {
        for (String path : new String[] {"/api/video-blob/" + JOB, "/api/video-blob/" + JOB + "/poster"}) {
            HttpResponse<byte[]> response = send(request(path, OTHER).header("Range", "bytes=0-9").GET());
            assertProblem(response, 404, "urn:videogen:problem:job-not-found");
            assertThat(response.headers().firstValue("ETag")).isEmpty();
        }
    }

    @Test
    void withoutAnOwnerHeaderTheJobIsNotFound() throws Exception {
        HttpResponse<byte[]> response = send(request("/api/video-blob/" + JOB, null).GET());

        assertProblem(response, 404, "urn:videogen:problem:job-not-found");
    }

    @Test
    void aDeletedJobIsNotFoundEvenForItsOwner() throws Exception {
        assertProblem(get("/api/video-blob/" + DELETED_JOB), 404, "urn:videogen:problem:job-not-found");
    }

    @Test
    void anUnknownJobIsNotFound() throws Exception {
        assertProblem(get("/api/video-blob/01JNOSUCHJOB"), 404, "urn:videogen:problem:job-not-found");
        assertProblem(get("/api/video-blob/01JNOSUCHJOB/poster"), 404, "urn:videogen:problem:job-not-found");
        assertProblem(get("/api/video-blob/bad%20id%21"), 404, "urn:videogen:problem:job-not-found");
    }

    @Test
    void aJobWithoutMediaYetIsNotFound() throws Exception {
        assertProblem(get("/api/video-blob/" + PENDING_JOB), 404, "urn:videogen:problem:media-not-found");
        assertProblem(get("/api/video-blob/" + PENDING_JOB + "/poster"), 404, "urn:videogen:problem:media-not-found");
    }

    @Test
    void frameworkErrorsAreProblemsToo() throws Exception {
        assertProblem(get("/api/no-such-path"), 404, null);

        HttpResponse<byte[]> wrongMethod = send(request("/api/video-blob/" + JOB, OWNER)
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertProblem(wrongMethod, 405, null);
        assertThat(header(wrongMethod, "Allow")).contains("GET");
    }

    @Test
    void theFastRouteKeepsTheRequestMetricsPerPattern() throws Exception {
        assertThat(get("/api/video-blob/" + JOB, "Range", "bytes=0-9").statusCode()).isEqualTo(206);
        assertThat(get("/api/video-blob/" + JOB + "/poster").statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(meters.find("http.server.requests").tag("uri", "/api/video-blob/{jobId}").tag("status", "206")
                    .timer()).isNotNull();
            assertThat(meters.find("http.server.requests").tag("uri", "/api/video-blob/{jobId}/poster")
                    .tag("status", "200").timer()).isNotNull();
        });
    }

    // --- deletion

    @Test
    void internalDeleteRemovesTheJobsMediaAndIsIdempotent() throws Exception {
        String job = "01JMEDIAIT000000000000DELETE";
        put(job + ".mp4", video, "video/mp4");
        put(job + ".jpg", poster, "image/jpeg");
        put("checkpoints/" + job + ".json", "{\"stage\":\"stored\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        put(JOB + "-other.mp4", poster, "video/mp4"); // a neighbour with the same prefix stays
        own(job, OWNER, false);
        assertThat(get("/api/video-blob/" + job).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> deleted = send(request("/internal/media/" + job, null).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();

        assertThat(exists(job + ".mp4")).isFalse();
        assertThat(exists(job + ".jpg")).isFalse();
        assertThat(exists("checkpoints/" + job + ".json")).isFalse();
        assertThat(exists(JOB + ".mp4")).isTrue();
        assertThat(exists(JOB + "-other.mp4")).isTrue();
        assertProblem(get("/api/video-blob/" + job), 404, "urn:videogen:problem:media-not-found");

        assertThat(send(request("/internal/media/" + job, null).DELETE()).statusCode()).isEqualTo(204);
        assertThat(send(request("/internal/media/01JNEVERSTORED", null).DELETE()).statusCode()).isEqualTo(204);
    }

    @Test
    void aDeletedJobIsRefusedAtOnceThoughItsOwnerWasJustServed() throws Exception {
        String job = "01JMEDIAIT0000000000FORGETME";
        put(job + ".mp4", video, "video/mp4");
        own(job, OWNER, false);
        assertThat(get("/api/video-blob/" + job).statusCode()).isEqualTo(200);
        assertThat(get("/api/video-blob/" + job, "Range", "bytes=0-9").statusCode()).isEqualTo(206);

        // what the gateway does: the status service marks the job deleted, then the media is deleted here
        own(job, OWNER, true);
        assertThat(send(request("/internal/media/" + job, null).DELETE()).statusCode()).isEqualTo(204);

        // the job itself is refused (not merely its media gone): the remembered owner check was forgotten
        assertProblem(get("/api/video-blob/" + job), 404, "urn:videogen:problem:job-not-found");
        assertThat(send(request("/api/video-blob/" + job, OWNER).method("HEAD", HttpRequest.BodyPublishers.noBody()))
                .statusCode()).isEqualTo(404);
    }

    // --- streaming: disconnects and slow clients

    @Test
    void clientsThatDisconnectMidStreamLeaveNoOpenStreamsOrConnections() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            List<Future<String>> statusLines = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                boolean reset = i % 2 == 0; // half of them reset the connection, as a killed tab does
                statusLines.add(clients.submit(() -> readALittleThenLeave(BIG_JOB, reset)));
            }
            for (Future<String> statusLine : statusLines) {
                assertThat(statusLine.get(30, TimeUnit.SECONDS)).isEqualTo("HTTP/1.1 200");
            }
        } finally {
            clients.shutdownNow();
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(gauge("videogen.media.s3.streams.open")).isZero());
        // No object-store connection is left holding an abandoned response.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(activeS3Connections()).isZero());

        HttpResponse<InputStream> full = http.send(request("/api/video-blob/" + BIG_JOB, OWNER).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(full.statusCode()).isEqualTo(200);
        try (InputStream body = full.body()) {
            assertThat(sha256(body)).isEqualTo(bigSha256);
        }
        assertThat(get("/api/video-blob/" + JOB).body()).isEqualTo(video);
    }

    @Test
    void aSlowClientDoesNotMakeTheServiceReadAheadTheWholeVideo() throws Exception {
        double readBefore = counter("videogen.media.s3.read");
        try (Socket socket = openStream(BIG_JOB)) {
            assertThat(socket.getInputStream().readNBytes(64 * 1024)).hasSize(64 * 1024);

            AtomicReference<Double> previous = new AtomicReference<>(-1.0);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
                double now = counter("videogen.media.s3.read");
                return previous.getAndSet(now) == now; // the reading has stopped, waiting for the client
            });
            double readAhead = counter("videogen.media.s3.read") - readBefore;
            assertThat(readAhead).as("bytes read from the store for a client that took 64 KB")
                    .isLessThan(BIG_LENGTH / 3.0);
            assertThat(gauge("videogen.media.s3.streams.open")).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(gauge("videogen.media.s3.streams.open")).isZero());
    }

    // --- helpers

    private String readALittleThenLeave(String job, boolean reset) throws IOException {
        try (Socket socket = openStream(job)) {
            byte[] some = socket.getInputStream().readNBytes(64 * 1024);
            if (reset) {
                socket.setSoLinger(true, 0);
            }
            return new String(some, 0, 12, StandardCharsets.US_ASCII);
        }
    }

    private Socket openStream(String job) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(32 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /api/video-blob/" + job + " HTTP/1.1\r\nHost: localhost\r\nX-Videogen-Owner: " + OWNER
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    HttpRequest.Builder request(String path, String owner) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (owner != null) {
            builder.header("X-Videogen-Owner", owner);
        }
        return builder;
    }

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder builder = request(path, OWNER).GET();
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return send(builder);
    }

    HttpResponse<byte[]> head(String path) throws Exception {
        return send(request(path, OWNER).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    void assertProblem(HttpResponse<byte[]> response, int status, String type) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(header(response, "Content-Type")).startsWith("application/problem+json");
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("detail").asString()).isNotBlank();
        if (type != null) {
            assertThat(problem.path("type").asString()).isEqualTo(type);
        } else {
            assertThat(problem.path("type").asString()).isNotBlank();
        }
    }

    void own(String jobId, String owner, boolean deleted) {
        redisTemplate.<String, String>opsForHash()
                .putAll("videogen:job:" + jobId, deleted ? Map.of("owner", owner, "deleted", "1") : Map.of("owner", owner))
                .block(Duration.ofSeconds(5));
    }

    void put(String key, byte[] bytes, String contentType) throws Exception {
        minio.putObject(PutObjectArgs.builder().bucket(BUCKET).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, 64L * 1024 * 1024)
                .contentType(contentType).build());
    }

    private boolean exists(String key) throws Exception {
        try {
            minio.statObject(StatObjectArgs.builder().bucket(BUCKET).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw e;
        }
    }

    double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    private double activeS3Connections() {
        return meters.get("videogen.media.s3.connections").tag("state", "active").gauge().value();
    }

    double counter(String name) {
        return meters.get(name).counter().count();
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] jpeg() throws IOException {
        BufferedImage image = new BufferedImage(64, 36, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, 64, 36);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
