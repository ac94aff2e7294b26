package dev.videogen.worker.support;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/** A real S3 API server (S3Proxy on the file system) in the test JVM, on a free port, and a client for it. */
public final class LocalS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "worker-it";
    public static final String SECRET_KEY = "worker-it-secret-key";

    private final Path dir;
    private final S3Proxy proxy;
    public final MinioClient client;

    public LocalS3() throws Exception {
        dir = Files.createTempDirectory("worker-s3");
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:0");
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", ACCESS_KEY);
        p.setProperty("s3proxy.credential", SECRET_KEY);
        p.setProperty("jclouds.provider", "filesystem-nio2");
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        proxy = S3Proxy.Builder.fromProperties(p).blobStore(BlobStores.create("filesystem-nio2", p)).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        client = MinioClient.builder().endpoint(endpoint()).credentials(ACCESS_KEY, SECRET_KEY).region("us-east-1")
                .build();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public void put(String bucket, String key, byte[] bytes, String type) throws Exception {
        if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        }
        client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).contentType(type).build());
    }

    public Optional<byte[]> get(String bucket, String key) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return Optional.of(in.readAllBytes());
        } catch (ErrorResponseException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String contentType(String bucket, String key) throws Exception {
        return client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()).contentType();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
