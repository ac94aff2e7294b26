package dev.videogen.media.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.http.HttpUtils;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads media objects by offset and length, so a seek costs the same in a short or a long video. The MinIO client
 * blocks, so every call runs on the bounded elastic scheduler, never on an event loop.
 */
@Component
public class MediaStore {

    /**
     * Reactor Netty asks for up to 128 buffers ahead of what the socket has taken, so the chunk size bounds what a
     * slow client can make us hold: 128 x 16 KB = 2 MB per response, whatever the size of the video.
     */
    static final int CHUNK = 16 * 1024;

    private static final Set<String> ABSENT = Set.of("NoSuchKey", "NoSuchBucket", "NoSuchObject");
    private static final Scheduler IO = Schedulers.boundedElastic();

    private final MinioClient client;
    private final String bucket;
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Counter bytesRead;
    private final Counter stats;
    private final Counter gets;

    public MediaStore(MediaStoreProperties properties, MeterRegistry meters) {
        // Many viewers at once: MinIO's default client queues more than 5 concurrent calls to one host.
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(512);
        dispatcher.setMaxRequestsPerHost(512);
        ConnectionPool pool = new ConnectionPool(32, 5, TimeUnit.MINUTES);
        OkHttpClient http = HttpUtils.newDefaultHttpClient(TimeUnit.SECONDS.toMillis(10), TimeUnit.SECONDS.toMillis(60),
                        TimeUnit.SECONDS.toMillis(60))
                .newBuilder()
                .dispatcher(dispatcher)
                .connectionPool(pool)
                .addInterceptor(new AbortOnEarlyClose())
                .build();
        this.client = MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .region(properties.region())
                .httpClient(http)
                .build();
        this.bucket = properties.videosBucket();
        Gauge.builder("videogen.media.s3.streams.open", openStreams, AtomicInteger::get)
                .description("Object-store responses being streamed to clients right now")
                .register(meters);
        Gauge.builder("videogen.media.s3.connections", pool, p -> p.connectionCount() - p.idleConnectionCount())
                .tag("state", "active")
                .description("Connections to the object store carrying a request or a response")
                .register(meters);
        Gauge.builder("videogen.media.s3.connections", pool, ConnectionPool::idleConnectionCount)
                .tag("state", "idle")
                .description("Connections to the object store kept for reuse")
                .register(meters);
        this.bytesRead = Counter.builder("videogen.media.s3.read")
                .baseUnit("bytes")
                .description("Bytes read from the object store for clients")
                .register(meters);
        this.stats = Counter.builder("videogen.media.s3.requests").tag("operation", "stat")
                .description("Requests made to the object store").register(meters);
        this.gets = Counter.builder("videogen.media.s3.requests").tag("operation", "get")
                .description("Requests made to the object store").register(meters);
    }

    public record ObjectInfo(long length, String etag, Instant lastModified, String contentType) {
    }

    public Mono<Optional<ObjectInfo>> stat(String key) {
        return Mono.fromCallable(() -> {
            stats.increment();
            try {
                StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return Optional.of(new ObjectInfo(stat.size(), stat.etag(), stat.lastModified().toInstant(),
                        stat.contentType()));
            } catch (ErrorResponseException e) {
                if (ABSENT.contains(e.errorResponse().code())) {
                    return Optional.<ObjectInfo>empty();
                }
                throw e;
            }
        }).subscribeOn(IO);
    }

    /**
     * Streams {@code length} bytes from {@code offset}, reading the next chunk from the object store only when the
     * client has taken the previous ones. The object-store response is closed when the body completes, fails or is
     * cancelled (a client that goes away); {@link Flux#generate} never runs that cleanup while a read is under way, and
     * {@code cancelOn} keeps the blocking close off the event loop.
     */
    public Flux<DataBuffer> read(String key, long offset, long length, DataBufferFactory buffers) {
        return Flux.<DataBuffer, ObjectStream>generate(
                        () -> open(key, offset, length),
                        (stream, sink) -> stream.next(sink, buffers),
                        ObjectStream::close)
                .subscribeOn(IO)
                .cancelOn(IO);
    }

    /** Deletes the objects; a key (or bucket) that is already gone counts as deleted. */
    public Mono<Void> delete(Collection<String> keys) {
        return Flux.fromIterable(keys)
                .concatMap(key -> Mono.fromCallable(() -> {
                    try {
                        client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
                    } catch (ErrorResponseException e) {
                        if (!ABSENT.contains(e.errorResponse().code())) {
                            throw e;
                        }
                    }
                    return key;
                }).subscribeOn(IO))
                .then();
    }

    /** What {@link #download} wrote: the byte count, the store's ETag for it and the MD5 of the bytes written. */
    public record Download(long bytes, String etag, String md5) {
    }

    /**
     * Copies the whole object into {@code target} (created, never overwritten) and says what was written, so the
     * caller can check it against the object it expected. Blocking: call it off the event loop.
     */
    public Download download(String key, Path target) throws Exception {
        gets.increment();
        MessageDigest md5 = md5();
        try (GetObjectResponse in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
             DigestInputStream digesting = new DigestInputStream(in, md5);
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long bytes = digesting.transferTo(out);
            return new Download(bytes, in.headers().get("ETag"), HexFormat.of().formatHex(md5.digest()));
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectStream open(String key, long offset, long length) throws Exception {
        gets.increment();
        InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key)
                .offset(offset).length(length).build());
        openStreams.incrementAndGet();
        return new ObjectStream(in, length);
    }

    /** One object-store response being copied to a client, one chunk per demand. */
    private final class ObjectStream {

        private final InputStream in;
        private final byte[] chunk;
        private long remaining;
        private boolean closed;

        ObjectStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
            this.chunk = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
        }

        ObjectStream next(SynchronousSink<DataBuffer> sink, DataBufferFactory buffers) {
            if (remaining == 0) {
                sink.complete();
                return this;
            }
            try {
                int n = in.readNBytes(chunk, 0, (int) Math.min(chunk.length, remaining));
                if (n == 0) {
                    // The store sent less than it announced; failing makes the server abort the response
                    // instead of leaving the client waiting for bytes that will never come.
                    sink.error(new EOFException(remaining + " bytes missing from the object store's response"));
                    return this;
                }
                remaining -= n;
                bytesRead.increment(n);
                sink.next(buffers.allocateBuffer(n).write(chunk, 0, n));
                if (remaining == 0) {
                    sink.complete();
                }
            } catch (IOException e) {
                sink.error(e);
            }
            return this;
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            openStreams.decrementAndGet();
            try {
                in.close();
            } catch (IOException e) {
                // the connection is discarded by OkHttp; nothing left to release
            }
        }
    }
}
