package dev.videogen.e2e;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import tools.jackson.databind.JsonNode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Docker path: the same services against the official images (Kafka, Redis, MinIO) in containers. Skipped
 * where no Docker engine exists; the process-based {@link PipelineIT} is the default.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersIT {

    private static final String MINIO_USER = "videogen";
    private static final String MINIO_PASSWORD = "videogen-container-secret";

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final GenericContainer<?> REDIS = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);

    @Container
    static final GenericContainer<?> MINIO = new GenericContainer<>("minio/minio:latest")
            .withCommand("server", "/data")
            .withEnv("MINIO_ROOT_USER", MINIO_USER)
            .withEnv("MINIO_ROOT_PASSWORD", MINIO_PASSWORD)
            .withExposedPorts(9000)
            .waitingFor(Wait.forHttp("/minio/health/ready").forPort(9000));

    @Test
    void anUploadBecomesAVideoOnTheOfficialImages() throws Exception {
        LocalSystem system = new LocalSystem(Path.of("target", "containers-data-" + System.currentTimeMillis())
                .toAbsolutePath(), 48000)
                .withEnv("VIDEOGEN_EXTERNAL_INFRA", "1")
                .withEnv("KAFKA_BOOTSTRAP_SERVERS", KAFKA.getBootstrapServers())
                .withEnv("REDIS_URL", "redis://" + REDIS.getHost() + ":" + REDIS.getMappedPort(6379))
                .withEnv("S3_ENDPOINT", "http://" + MINIO.getHost() + ":" + MINIO.getMappedPort(9000))
                .withEnv("S3_ACCESS_KEY", MINIO_USER)
                .withEnv("S3_SECRET_KEY", MINIO_PASSWORD);
        system.start();
        try {
            Api user = new Api(system.gateway());
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB), "png", png);
            HttpResponse<String> accepted = user.submit(png.toByteArray(), "a.png", "image/png", Map.of("prompt", "dawn"));
            assertThat(accepted.statusCode()).isEqualTo(202);
            String jobId = Api.json(accepted).get("jobId").asString();
            JsonNode done = await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> user.job(jobId),
                    job -> job.get("status").asString().matches("succeeded|failed"));
            assertThat(done.get("status").asString()).isEqualTo("succeeded");
            HttpResponse<byte[]> video = user.getBytes(done.get("videoUrl").asString());
            assertThat(new String(video.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        } finally {
            system.stop();
        }
    }
}
