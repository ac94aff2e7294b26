package dev.videogen.media.cache;

import dev.videogen.media.storage.MediaStore;
import dev.videogen.media.storage.MediaStore.Download;
import dev.videogen.media.storage.MediaStore.ObjectInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * A bounded local disk copy of the videos and posters, as a CDN edge keeps one: the objects never change once
 * stored, so a copy on local disk can be sent to clients with {@code sendfile} instead of being read through the
 * object store again for every request.
 * <ul>
 * <li>Filled on the first read, in the background and once per object however many requests miss at the same time;
 * until the copy is complete those requests are served from the store as before.</li>
 * <li>A copy is downloaded to a temporary file, checked (length, the store's ETag and, where the ETag is an MD5, the
 * MD5 of the bytes) and only then renamed into place and entered in the index; only indexed files are ever served,
 * so a partial or corrupt download never is.</li>
 * <li>The directory, files being filled included, never holds more than the configured bytes: room is made by
 * evicting the least recently used copies that nobody is being sent; a copy being sent is deleted when its last
 * response ends.</li>
 * <li>{@link #evict} (a deleted job) removes the copy and cancels a fill under way. The owner check is not here: it
 * runs on every request before the cache is asked.</li>
 * </ul>
 */
@Component
public class MediaCache implements DisposableBean {

    /** Where a fill gets its bytes: the store's whole object written to a new file. */
    @FunctionalInterface
    interface Source {
        Download download(String key, Path target) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(MediaCache.class);
    private static final Scheduler IO = Schedulers.boundedElastic();
    private static final String FILE_SUFFIX = ".media";
    private static final String PART_SUFFIX = ".part";
    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");

    private final Source source;
    private final Path dir;
    private final boolean temporaryDir;
    private final long maxBytes;
    private final long revalidateNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong names = new AtomicLong();

    /** Key to copy, least recently used first. Guarded by {@code this}, as are the two fields below. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, Fill> filling = new HashMap<>();
    /** Bytes in the directory: indexed copies, copies still being sent after eviction, and fills under way. */
    private long usedBytes;

    private final Counter hits;
    private final Counter misses;
    private final Map<String, Counter> fills = new HashMap<>();

    @Autowired
    public MediaCache(MediaCacheProperties properties, MediaStore store, MeterRegistry meters) {
        this(properties, store::download, meters, System::nanoTime);
    }

    MediaCache(MediaCacheProperties properties, Source source, MeterRegistry meters, LongSupplier nanoTime) {
        this.source = source;
        this.maxBytes = properties.maxSize().toBytes();
        this.revalidateNanos = properties.revalidateAfter().toNanos();
        this.nanoTime = nanoTime;
        try {
            if (properties.dir().isEmpty()) {
                this.dir = Files.createTempDirectory("videogen-media-cache-");
                this.temporaryDir = true;
            } else {
                this.dir = Files.createDirectories(Path.of(properties.dir()));
                this.temporaryDir = false;
                removeOwnFiles(); // left by an earlier run: nothing says what they hold any more
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the media cache directory " + properties.dir(), e);
        }
        this.hits = Counter.builder("videogen.media.cache.requests").tag("result", "hit")
                .description("Media requests answered from the local cache or not").register(meters);
        this.misses = Counter.builder("videogen.media.cache.requests").tag("result", "miss")
                .description("Media requests answered from the local cache or not").register(meters);
        for (String result : new String[] {"stored", "rejected", "failed", "cancelled", "no-room"}) {
            fills.put(result, Counter.builder("videogen.media.cache.fills").tag("result", result)
                    .description("Copies of objects started into the cache, by outcome").register(meters));
        }
        Gauge.builder("videogen.media.cache.size", this, MediaCache::usedBytes).baseUnit("bytes")
                .description("Bytes in the cache directory, fills under way included").register(meters);
        Gauge.builder("videogen.media.cache.fills.active", this, MediaCache::fillsUnderWay)
                .description("Copies being made right now").register(meters);
        Gauge.builder("videogen.media.cache.entries", this, MediaCache::entryCount)
                .description("Objects the cache can serve").register(meters);
        log.info("media cache in {}, at most {} bytes, revalidated after {}", dir, maxBytes,
                Duration.ofNanos(revalidateNanos));
    }

    public boolean enabled() {
        return maxBytes > 0;
    }

    public Path directory() {
        return dir;
    }

    /**
     * The cached copy of the object, held open for one response: it is not deleted until {@link Lease#close}.
     * Counts a hit or a miss.
     */
    public Optional<Lease> lease(String key) {
        Entry entry;
        synchronized (this) {
            entry = entries.get(key);
            if (entry != null) {
                entry.refs++;
            }
        }
        (entry == null ? misses : hits).increment();
        return Optional.ofNullable(entry).map(Lease::new);
    }

    /**
     * Starts copying the object into the cache in the background unless it is cached or being copied already, or
     * cannot fit. Returns at once.
     */
    public void fill(String key, ObjectInfo info) {
        if (!enabled()) {
            return;
        }
        Fill fill;
        synchronized (this) {
            if (entries.containsKey(key) || filling.containsKey(key)) {
                return;
            }
            if (info.length() > maxBytes || !makeRoom(info.length())) {
                fills.get("no-room").increment();
                return;
            }
            usedBytes += info.length();
            fill = new Fill(key, info);
            filling.put(key, fill);
        }
        IO.schedule(() -> run(fill));
    }

    /** Forgets the object: no request gets it from the cache any more, and a fill under way is dropped. */
    public void evict(String key) {
        synchronized (this) {
            Fill fill = filling.get(key);
            if (fill != null) {
                fill.cancelled = true;
            }
            Entry entry = entries.remove(key);
            if (entry != null) {
                discard(entry);
            }
        }
    }

    synchronized long usedBytes() {
        return usedBytes;
    }

    synchronized int fillsUnderWay() {
        return filling.size();
    }

    synchronized int entryCount() {
        return entries.size();
    }

    private void run(Fill fill) {
        String name = HexFormat.of().formatHex(sha256(fill.key)).substring(0, 32) + "-" + names.incrementAndGet();
        Path part = dir.resolve(name + PART_SUFFIX);
        Path file = dir.resolve(name + FILE_SUFFIX);
        String outcome = "failed";
        try {
            Download download = source.download(fill.key, part);
            String problem = problem(fill.info, download);
            if (problem != null) {
                outcome = "rejected";
                log.warn("not caching {}: {}", fill.key, problem);
                return;
            }
            synchronized (this) {
                if (fill.cancelled) {
                    outcome = "cancelled";
                    return;
                }
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
                entries.put(fill.key, new Entry(fill.key, fill.info, file, nanoTime.getAsLong()));
                outcome = "stored";
            }
        } catch (Exception e) {
            log.warn("could not cache {}: {}", fill.key, e.toString());
        } finally {
            synchronized (this) {
                filling.remove(fill.key);
                if (!"stored".equals(outcome)) {
                    deleteQuietly(part);
                    usedBytes -= fill.info.length();
                }
            }
            fills.get(outcome).increment();
        }
    }

    /** Why the downloaded file is not the object that was asked for, or null when it is. */
    private static String problem(ObjectInfo expected, Download got) {
        if (got.bytes() != expected.length()) {
            return "got " + got.bytes() + " bytes of " + expected.length();
        }
        String want = unquote(expected.etag());
        String etag = unquote(got.etag());
        if (!want.isEmpty() && !etag.isEmpty() && !want.equals(etag)) {
            return "the object changed (ETag " + etag + ", expected " + want + ")";
        }
        if (MD5.matcher(want).matches() && !want.equals(got.md5())) {
            return "the bytes do not match the ETag's MD5";
        }
        return null;
    }

    private static String unquote(String etag) {
        return etag == null ? "" : etag.replace("\"", "").strip().toLowerCase(Locale.ROOT);
    }

    /** Evicts idle copies, least recently used first, until {@code bytes} more fit. Holding the lock. */
    private boolean makeRoom(long bytes) {
        Iterator<Entry> lru = entries.values().iterator();
        while (usedBytes + bytes > maxBytes && lru.hasNext()) {
            Entry entry = lru.next();
            if (entry.refs == 0) {
                lru.remove();
                discard(entry);
            }
        }
        return usedBytes + bytes <= maxBytes;
    }

    /** Deletes an entry's file now, or when its last response ends. Holding the lock; the entry is unindexed. */
    private void discard(Entry entry) {
        entry.removed = true;
        if (entry.refs == 0) {
            deleteQuietly(entry.file);
            usedBytes -= entry.info.length();
        }
    }

    private synchronized void release(Entry entry) {
        entry.refs--;
        if (entry.refs == 0 && entry.removed) {
            deleteQuietly(entry.file);
            usedBytes -= entry.info.length();
        }
    }

    private void removeOwnFiles() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*{" + FILE_SUFFIX + "," + PART_SUFFIX + "}")) {
            for (Path file : files) {
                if (Files.isRegularFile(file)) {
                    Files.delete(file);
                }
            }
        }
    }

    @Override
    public void destroy() throws IOException {
        synchronized (this) {
            entries.clear();
            for (Fill fill : filling.values()) {
                fill.cancelled = true;
            }
        }
        removeOwnFiles();
        if (temporaryDir) {
            Files.deleteIfExists(dir);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", file, e.toString());
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Entry {
        final String key;
        final ObjectInfo info;
        final Path file;
        volatile long validatedAt;
        int refs;         // guarded by the cache
        boolean removed;  // guarded by the cache

        Entry(String key, ObjectInfo info, Path file, long validatedAt) {
            this.key = key;
            this.info = info;
            this.file = file;
            this.validatedAt = validatedAt;
        }
    }

    private static final class Fill {
        final String key;
        final ObjectInfo info;
        volatile boolean cancelled;

        Fill(String key, ObjectInfo info) {
            this.key = key;
            this.info = info;
        }
    }

    /** A cached copy held for one response; close it when the response has ended (idempotent). */
    public final class Lease implements AutoCloseable {

        private final Entry entry;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(Entry entry) {
            this.entry = entry;
        }

        /** The object as stat'ed when it was copied: length, ETag, Last-Modified. */
        public ObjectInfo info() {
            return entry.info;
        }

        public Path file() {
            return entry.file;
        }

        /** Whether the store should be asked again that this is still the object (see revalidate-after). */
        public boolean stale() {
            return nanoTime.getAsLong() - entry.validatedAt >= revalidateNanos;
        }

        /** The store confirmed the copy is still the object. */
        public void revalidated() {
            entry.validatedAt = nanoTime.getAsLong();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(entry);
            }
        }
    }
}
