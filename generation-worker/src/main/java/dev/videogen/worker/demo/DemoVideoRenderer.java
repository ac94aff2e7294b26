package dev.videogen.worker.demo;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

import dev.videogen.worker.media.Ffmpeg;

/**
 * Offline stand-in for the image-to-video model: turns a still image into a real, playable MP4
 * (H.264 yuv420p + AAC, 121 frames at 24 fps) with a slow Ken Burns zoom and a soft ambient chord,
 * plus a JPEG poster of the first frame.
 *
 * <p>Thread-safe: every {@link #render} call uses its own recorder, converter, buffers and temp file.
 * The first call in a JVM also loads the FFmpeg native libraries (about half a second).
 */
public final class DemoVideoRenderer {

    /** Frames per second of the output, like the real model. */
    public static final int FPS = 24;
    /** Number of video frames: 5 s at 24 fps plus the closing frame, like the real model. */
    public static final int FRAME_COUNT = 121;

    static final long TARGET_PIXELS = 720L * 720L;
    static final int MAX_SIDE = 1280;
    static final int MIN_SIDE = 16;
    /** Refuse to decode sources larger than this (decompression bombs). */
    static final long MAX_SOURCE_PIXELS = 100_000_000L;

    private static final double ZOOM_END = 1.08;
    /** The point the camera zooms towards (fractions of the frame); off-centre, so the zoom also pans a little. */
    private static final double ANCHOR_X = 0.68;
    private static final double ANCHOR_Y = 0.40;
    /** Guard band (base-image pixels) so bilinear sampling never reads outside the picture. */
    private static final int MARGIN = 2;

    private static final int SAMPLE_RATE = 48_000;
    private static final int AUDIO_CHANNELS = 2;
    private static final int SAMPLES_PER_FRAME = SAMPLE_RATE / FPS;
    private static final int PROGRESS_EVERY = 4;
    private static final float POSTER_QUALITY = 0.85f;

    private static volatile String h264Encoder;
    private static volatile short[] ambientAudio;

    /**
     * Optional: loads the FFmpeg natives, picks the encoder and synthesises the soundtrack now (about 0.5-1 s),
     * so that the first {@link #render} is not slower than the others. Safe to call more than once.
     */
    public static void preload() throws IOException {
        h264Encoder();
        ambientAudio();
    }

    /** Nominal duration of every rendered video, in milliseconds. */
    public static long durationMs() {
        return Math.round(FRAME_COUNT * 1000.0 / FPS);
    }

    /**
     * Renders the demo video for an uploaded image.
     *
     * @param imageBytes JPEG, PNG or WebP bytes (anything else ImageIO or FFmpeg can decode also works)
     * @param listener   progress callback, invoked on the calling thread; may be {@code null}
     * @return the MP4, its poster and its geometry
     * @throws InterruptedIOException if the calling thread is interrupted while rendering; the interrupt
     *                                status is left set
     * @throws IOException            if the image cannot be decoded or the video cannot be encoded
     */
    public RenderedVideo render(byte[] imageBytes, ProgressListener listener) throws IOException {
        Objects.requireNonNull(imageBytes, "imageBytes");
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;

        BufferedImage source = decode(imageBytes);
        checkInterrupted(0);
        int[] size = videoSize(source.getWidth(), source.getHeight());
        int width = size[0];
        int height = size[1];
        int baseW = (int) Math.ceil(width * ZOOM_END) + 2 * MARGIN;
        int baseH = (int) Math.ceil(height * ZOOM_END) + 2 * MARGIN;
        BufferedImage base = scaleToCover(source, baseW, baseH);
        source = null; // let the (possibly large) decoded image go
        progress.onProgress(0.0);

        short[] audio = ambientAudio();
        String encoder = h264Encoder();
        Path tmp = Files.createTempFile("videogen-demo-", ".mp4");
        FFmpegFrameRecorder recorder = null;
        boolean finished = false;
        try (Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder = new FFmpegFrameRecorder(tmp.toFile(), width, height, AUDIO_CHANNELS);
            recorder.setFormat("mp4");
            recorder.setOption("movflags", "+faststart");
            recorder.setVideoCodecName(encoder);
            if ("libopenh264".equals(encoder)) {
                recorder.setVideoOption("profile", "high"); // CABAC: ~25% smaller than its default Constrained Baseline
            }
            recorder.setVideoCodec(AV_CODEC_ID_H264);
            recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(FPS);
            recorder.setGopSize(FPS * 2);
            recorder.setVideoBitrate((int) Math.min(8_000_000L, (long) width * height * FPS / 5));
            recorder.setAudioCodec(AV_CODEC_ID_AAC);
            recorder.setSampleRate(SAMPLE_RATE);
            recorder.setAudioChannels(AUDIO_CHANNELS);
            recorder.setAudioBitrate(128_000);
            recorder.setMetadata("title", "Videogen demo");
            recorder.start();

            BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = canvas.createGraphics();
            byte[] poster;
            try {
                g.setComposite(AlphaComposite.Src);
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_SPEED);
                poster = null;
                short[] chunk = new short[SAMPLES_PER_FRAME * AUDIO_CHANNELS];
                for (int i = 0; i < FRAME_COUNT; i++) {
                    checkInterrupted(i);
                    g.drawImage(base, cameraTransform(i, width, height, baseW, baseH), null);
                    if (i == 0) {
                        poster = encodeJpeg(canvas);
                    }
                    Frame frame = converter.convert(canvas);
                    recorder.record(frame, AV_PIX_FMT_BGR24);
                    // Copy into a chunk that starts at index 0: javacv reads heap buffers with
                    // array()+position() and ignores arrayOffset(), so wrap(audio, offset, n) or
                    // slice() would hand it the wrong samples.
                    System.arraycopy(audio, i * chunk.length, chunk, 0, chunk.length);
                    recorder.recordSamples(SAMPLE_RATE, AUDIO_CHANNELS, ShortBuffer.wrap(chunk));
                    if ((i + 1) % PROGRESS_EVERY == 0) {
                        progress.onProgress(0.95 * (i + 1) / FRAME_COUNT);
                    }
                }
            } finally {
                g.dispose();
            }
            checkInterrupted(FRAME_COUNT);
            recorder.stop();
            finished = true;
            recorder.release();
            byte[] mp4 = Files.readAllBytes(tmp);
            progress.onProgress(1.0);
            return new RenderedVideo(mp4, poster, width, height, durationMs());
        } finally {
            if (recorder != null && !finished) {
                try {
                    recorder.release();
                } catch (IOException | RuntimeException ignored) {
                    // best effort: the render already failed
                }
            }
            Files.deleteIfExists(tmp);
        }
    }

    // ---------------------------------------------------------------- geometry and camera

    /** Video size: the source aspect ratio with about 720x720 pixels, even sides, none above 1280. */
    static int[] videoSize(int srcW, int srcH) {
        double aspect = (double) srcW / srcH;
        double w = Math.sqrt(TARGET_PIXELS * aspect);
        double h = Math.sqrt(TARGET_PIXELS / aspect);
        if (w > MAX_SIDE) {
            w = MAX_SIDE;
            h = MAX_SIDE / aspect;
        }
        if (h > MAX_SIDE) {
            h = MAX_SIDE;
            w = MAX_SIDE * aspect;
        }
        return new int[] {evenSide(w), evenSide(h)};
    }

    private static int evenSide(double v) {
        int even = 2 * (int) Math.round(v / 2);
        return Math.max(MIN_SIDE, Math.min(MAX_SIDE, even));
    }

    /** Maps base-image pixels to output pixels for frame {@code i}: an eased zoom towards an off-centre anchor. */
    static AffineTransform cameraTransform(int i, int width, int height, int baseW, int baseH) {
        double t = i / (double) (FRAME_COUNT - 1);
        double eased = 0.5 - 0.5 * Math.cos(Math.PI * t);
        double zoom = 1.0 + (ZOOM_END - 1.0) * eased;
        double innerW = baseW - 2.0 * MARGIN;
        double innerH = baseH - 2.0 * MARGIN;
        double winW = innerW / zoom;
        double winH = innerH / zoom;
        double originX = MARGIN + ANCHOR_X * (innerW - winW);
        double originY = MARGIN + ANCHOR_Y * (innerH - winH);
        double sx = width / winW;
        double sy = height / winH;
        return new AffineTransform(sx, 0, 0, sy, -originX * sx, -originY * sy);
    }

    /** Centre-crops the source to the target aspect and scales it (area-averaging halvings, then bicubic). */
    static BufferedImage scaleToCover(BufferedImage src, int targetW, int targetH) {
        double cropW = src.getWidth();
        double cropH = src.getHeight();
        double targetAspect = (double) targetW / targetH;
        if (cropW / cropH > targetAspect) {
            cropW = cropH * targetAspect;
        } else {
            cropH = cropW / targetAspect;
        }
        double cropX = (src.getWidth() - cropW) / 2;
        double cropY = (src.getHeight() - cropH) / 2;
        BufferedImage current = src;
        boolean opaque = false;
        while (cropW >= 2.0 * targetW && cropH >= 2.0 * targetH) {
            int w = (int) Math.ceil(cropW / 2);
            int h = (int) Math.ceil(cropH / 2);
            current = drawScaled(current, cropX, cropY, cropW, cropH, w, h,
                    RenderingHints.VALUE_INTERPOLATION_BILINEAR, opaque);
            opaque = true;
            cropX = 0;
            cropY = 0;
            cropW = w;
            cropH = h;
        }
        return drawScaled(current, cropX, cropY, cropW, cropH, targetW, targetH,
                RenderingHints.VALUE_INTERPOLATION_BICUBIC, opaque);
    }

    private static BufferedImage drawScaled(BufferedImage src, double x, double y, double w, double h,
                                            int targetW, int targetH, Object interpolation, boolean opaque) {
        BufferedImage out = new BufferedImage(targetW, targetH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            if (!opaque) {
                g.setColor(Color.BLACK); // transparent areas become black
                g.fillRect(0, 0, targetW, targetH);
            }
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            AffineTransform at = new AffineTransform(targetW / w, 0, 0, targetH / h,
                    -x * targetW / w, -y * targetH / h);
            g.drawImage(src, at, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes JPEG/PNG (ImageIO) or WebP and anything ImageIO cannot read (FFmpeg). */
    static BufferedImage decode(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            throw new IOException("cannot decode image: the upload is empty");
        }
        String kind = sniff(bytes);
        Exception imageIoFailure = null;
        try {
            BufferedImage image = readWithImageIo(bytes);
            if (image != null) {
                return image;
            }
        } catch (ImageTooLargeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            imageIoFailure = e;
        }
        if (kind == null) {
            IOException failure = new IOException(
                    "cannot decode image: not a JPEG, PNG or WebP file (" + bytes.length + " bytes)");
            if (imageIoFailure != null) {
                failure.addSuppressed(imageIoFailure);
            }
            throw failure;
        }
        try {
            return readWithFfmpeg(bytes, kind);
        } catch (ImageTooLargeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            IOException failure = new IOException("cannot decode " + kind.toUpperCase()
                    + " image: " + e.getMessage(), e);
            if (imageIoFailure != null) {
                failure.addSuppressed(imageIoFailure);
            }
            throw failure;
        }
    }

    /** "jpeg", "png", "webp" or null, from the magic bytes. */
    static String sniff(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "jpeg";
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "png";
        }
        if (b.length >= 12 && "RIFF".equals(new String(b, 0, 4, StandardCharsets.US_ASCII))
                && "WEBP".equals(new String(b, 8, 4, StandardCharsets.US_ASCII))) {
            return "webp";
        }
        return null;
    }

    private static BufferedImage readWithImageIo(byte[] bytes) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                checkSourceSize(w, h);
                ImageReadParam param = reader.getDefaultReadParam();
                // Huge photos: subsample while decoding, keeping >= ~2x the detail the video needs.
                int step = (int) Math.floor(Math.sqrt((double) w * h / (4.0 * TARGET_PIXELS * ZOOM_END * ZOOM_END)));
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
    }

    private static BufferedImage readWithFfmpeg(byte[] bytes, String kind) throws IOException {
        loadFfmpeg();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(new ByteArrayInputStream(bytes), bytes.length);
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            grabber.setFormat(kind + "_pipe");
            grabber.setPixelFormat(AV_PIX_FMT_BGR24);
            grabber.start();
            checkSourceSize(grabber.getImageWidth(), grabber.getImageHeight());
            Frame frame = grabber.grabImage();
            if (frame == null || frame.image == null) {
                throw new IOException("no picture in the file");
            }
            BufferedImage image = converter.convert(frame);
            if (image == null) {
                throw new IOException("unsupported pixel layout");
            }
            return Java2DFrameConverter.cloneBufferedImage(image);
        }
    }

    private static void checkSourceSize(int w, int h) throws IOException {
        if (w <= 0 || h <= 0) {
            throw new IOException("cannot decode image: invalid size " + w + "x" + h);
        }
        if ((long) w * h > MAX_SOURCE_PIXELS) {
            throw new ImageTooLargeException("cannot decode image: " + w + "x" + h
                    + " is larger than " + MAX_SOURCE_PIXELS / 1_000_000 + " megapixels");
        }
    }

    private static final class ImageTooLargeException extends IOException {
        ImageTooLargeException(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- poster, audio, encoder

    static byte[] encodeJpeg(BufferedImage image) throws IOException {
        return Ffmpeg.encodeJpeg(image, POSTER_QUALITY);
    }

    /**
     * A soft Fmaj9 pad (interleaved stereo S16, one chunk per video frame): slowly breathing sines,
     * slightly detuned between the channels, with a cosine fade in and out. Peak stays below -9 dBFS.
     * Same for every video, so computed once.
     */
    static short[] ambientAudio() {
        short[] audio = ambientAudio;
        if (audio == null) {
            synchronized (DemoVideoRenderer.class) {
                audio = ambientAudio;
                if (audio == null) {
                    audio = synthesizeAmbient();
                    ambientAudio = audio;
                }
            }
        }
        return audio;
    }

    private static short[] synthesizeAmbient() {
        double[] freqs = {87.31, 174.61, 220.00, 261.63, 329.63, 392.00}; // F2 F3 A3 C4 E4 G4
        double[] amps = {0.052, 0.078, 0.065, 0.058, 0.045, 0.039};
        int n = FRAME_COUNT * SAMPLES_PER_FRAME;
        double seconds = n / (double) SAMPLE_RATE;
        double fadeIn = 0.8;
        double fadeOut = 1.2;
        short[] out = new short[n * AUDIO_CHANNELS];
        double[][] step = new double[AUDIO_CHANNELS][freqs.length];
        double[][] phase = new double[AUDIO_CHANNELS][freqs.length];
        for (int c = 0; c < AUDIO_CHANNELS; c++) {
            for (int k = 0; k < freqs.length; k++) {
                double detune = (c == 0 ? -1 : 1) * 0.0015 * freqs[k]; // gentle chorus between channels
                step[c][k] = 2 * Math.PI * (freqs[k] + detune) / SAMPLE_RATE;
                phase[c][k] = k * 0.7 + c * 1.3;
            }
        }
        for (int s = 0; s < n; s++) {
            double t = s / (double) SAMPLE_RATE;
            double env = 1.0;
            if (t < fadeIn) {
                env = 0.5 - 0.5 * Math.cos(Math.PI * t / fadeIn);
            } else if (t > seconds - fadeOut) {
                env = 0.5 + 0.5 * Math.cos(Math.PI * (t - (seconds - fadeOut)) / fadeOut);
            }
            for (int c = 0; c < AUDIO_CHANNELS; c++) {
                double v = 0;
                for (int k = 0; k < freqs.length; k++) {
                    double breathe = 0.8 + 0.2 * Math.sin(2 * Math.PI * (0.11 + 0.03 * k) * t + k + c);
                    v += amps[k] * breathe * Math.sin(phase[c][k] + step[c][k] * s);
                }
                double sample = Math.max(-1.0, Math.min(1.0, v * env));
                out[s * AUDIO_CHANNELS + c] = (short) Math.round(sample * 32767);
            }
        }
        return out;
    }

    private static void loadFfmpeg() throws IOException {
        Ffmpeg.load();
    }

    /** "libx264" if this FFmpeg build has it (the -gpl classifier), else "libopenh264" (LGPL build). */
    static String h264Encoder() throws IOException {
        String name = h264Encoder;
        if (name == null) {
            loadFfmpeg();
            synchronized (DemoVideoRenderer.class) {
                name = h264Encoder;
                if (name == null) {
                    for (String candidate : new String[] {"libx264", "libopenh264"}) {
                        if (avcodec.avcodec_find_encoder_by_name(candidate) != null) {
                            name = candidate;
                            break;
                        }
                    }
                    if (name == null) {
                        throw new IOException("this FFmpeg build has no H.264 encoder (libx264 or libopenh264)");
                    }
                    h264Encoder = name;
                }
            }
        }
        return name;
    }

    private static void checkInterrupted(int frame) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            InterruptedIOException e = new InterruptedIOException(
                    "demo render interrupted at frame " + frame + " of " + FRAME_COUNT);
            throw e;
        }
    }
}
