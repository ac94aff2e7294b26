package dev.videogen.worker.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_WEBP;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoVideoRendererTest {

    private final DemoVideoRenderer renderer = new DemoVideoRenderer();

    @TempDir
    Path tmp;

    @Test
    void rendersLandscapePngIntoPlayableMp4WithAudioAndPoster() throws Exception {
        byte[] png = encode(testImage(640, 360, BufferedImage.TYPE_INT_ARGB), "png");
        List<Double> progress = new ArrayList<>();

        long start = System.nanoTime();
        RenderedVideo video = renderer.render(png, progress::add);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("DemoVideoRenderer: 640x360 PNG -> %dx%d MP4 (%d KiB) in %d ms with %s%n",
                video.width(), video.height(), video.mp4().length / 1024, millis, DemoVideoRenderer.h264Encoder());

        assertThat(video.width()).isEqualTo(960);
        assertThat(video.height()).isEqualTo(540);
        assertThat(video.durationMs()).isBetween(4900L, 5200L);
        assertPlayableMp4(video, 640.0 / 360.0);
        assertPoster(video);

        assertThat(progress).hasSizeGreaterThanOrEqualTo(DemoVideoRenderer.FRAME_COUNT / 10);
        assertThat(progress).isSorted();
        assertThat(progress).allSatisfy(f -> assertThat(f).isBetween(0.0, 1.0));
        assertThat(progress.get(progress.size() - 1)).isEqualTo(1.0);
    }

    @Test
    void rendersPortraitJpegKeepingAspectRatio() throws Exception {
        byte[] jpeg = encode(testImage(300, 500, BufferedImage.TYPE_INT_RGB), "jpeg");

        RenderedVideo video = renderer.render(jpeg, null);

        assertThat(video.width()).isLessThan(video.height());
        assertThat(video.height()).isLessThanOrEqualTo(1280);
        assertPlayableMp4(video, 300.0 / 500.0);
        assertPoster(video);
    }

    @Test
    void rendersWebp() throws Exception {
        byte[] webp = webpImage(testImage(400, 400, BufferedImage.TYPE_INT_RGB));
        assertThat(new String(webp, 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WEBP");

        RenderedVideo video = renderer.render(webp, null);

        assertThat(video.width()).isEqualTo(720);
        assertThat(video.height()).isEqualTo(720);
        assertPlayableMp4(video, 1.0);
        assertPoster(video);
    }

    @Test
    void videoSizeIsEvenAboutHalfAMegapixelAndCapped() {
        assertThat(DemoVideoRenderer.videoSize(1000, 1000)).containsExactly(720, 720);
        assertThat(DemoVideoRenderer.videoSize(1920, 1080)).containsExactly(960, 540);
        int[] wide = DemoVideoRenderer.videoSize(5000, 1000);
        assertThat(wide[0]).isEqualTo(1280);
        assertThat(wide[1]).isEqualTo(256);
        int[] odd = DemoVideoRenderer.videoSize(333, 777);
        assertThat(odd[0] % 2).isZero();
        assertThat(odd[1] % 2).isZero();
        assertThat((double) odd[0] * odd[1]).isCloseTo(720.0 * 720.0, within(720.0 * 720.0 * 0.02));
    }

    @Test
    void ambientAudioIsAudibleButNeverClips() {
        short[] audio = DemoVideoRenderer.ambientAudio();
        int peak = 0;
        for (short s : audio) {
            peak = Math.max(peak, Math.abs(s));
        }
        assertThat(audio).hasSize(DemoVideoRenderer.FRAME_COUNT * 2000 * 2);
        assertThat(peak).isBetween(2000, 16000);
        assertThat(Math.abs(audio[0])).isLessThan(50); // fades in
        assertThat(Math.abs(audio[audio.length - 1])).isLessThan(50); // fades out
    }

    @Test
    void garbageBytesGiveClearIOException() {
        byte[] garbage = "definitely not an image, just some text".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> renderer.render(garbage, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot decode image");
        assertThatThrownBy(() -> renderer.render(new byte[0], null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot decode image");
    }

    @Test
    void corruptWebpGivesClearIOException() {
        byte[] fake = "RIFF\0\0\0\0WEBPVP8 garbage garbage garbage".getBytes(StandardCharsets.ISO_8859_1);

        assertThatThrownBy(() -> renderer.render(fake, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot decode WEBP");
    }

    @Test
    void interruptedThreadStopsTheRender() throws Exception {
        byte[] png = encode(testImage(320, 240, BufferedImage.TYPE_INT_RGB), "png");
        try {
            // interrupted midway, from the progress callback (runs on the rendering thread between frames)
            assertThatThrownBy(() -> renderer.render(png, f -> {
                if (f > 0.3) {
                    Thread.currentThread().interrupt();
                }
            })).isInstanceOf(InterruptedIOException.class).hasMessageContaining("interrupted");
            assertThat(Thread.interrupted()).isTrue();

            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> renderer.render(png, null)).isInstanceOf(InterruptedIOException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void concurrentRendersAreIndependent() throws Exception {
        byte[] a = encode(testImage(640, 360, BufferedImage.TYPE_INT_RGB), "png");
        byte[] b = encode(testImage(300, 500, BufferedImage.TYPE_INT_RGB), "jpeg");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<RenderedVideo> fa = pool.submit(() -> renderer.render(a, null));
            Future<RenderedVideo> fb = pool.submit(() -> renderer.render(b, null));
            RenderedVideo va = fa.get(60, TimeUnit.SECONDS);
            RenderedVideo vb = fb.get(60, TimeUnit.SECONDS);
            assertPlayableMp4(va, 640.0 / 360.0);
            assertPlayableMp4(vb, 300.0 / 500.0);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ helpers

    private void assertPlayableMp4(RenderedVideo video, double sourceAspect) throws Exception {
        byte[] mp4 = video.mp4();
        assertThat(new String(mp4, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(topLevelBoxes(mp4)).containsSubsequence("ftyp", "moov", "mdat"); // faststart

        Path file = Files.createTempFile(tmp, "video-", ".mp4");
        Files.write(file, mp4);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
            grabber.start();
            assertThat(grabber.getFormat()).contains("mp4").contains("mov");
            assertThat(grabber.getVideoCodec()).isEqualTo(AV_CODEC_ID_H264);
            assertThat(grabber.getImageWidth()).isEqualTo(video.width());
            assertThat(grabber.getImageHeight()).isEqualTo(video.height());
            double aspect = (double) grabber.getImageWidth() / grabber.getImageHeight();
            assertThat(aspect).isCloseTo(sourceAspect, within(sourceAspect * 0.02));
            assertThat(grabber.getLengthInTime() / 1_000_000.0).isBetween(4.9, 5.2);
            assertThat(grabber.getFrameRate()).isCloseTo(24.0, within(0.01));
            assertThat(grabber.getAudioCodec()).isEqualTo(AV_CODEC_ID_AAC);
            assertThat(grabber.getAudioChannels()).isBetween(1, 2);
            assertThat(grabber.getSampleRate()).isIn(44_100, 48_000);
            assertThat(videoStreamPixelFormat(grabber)).isEqualTo(AV_PIX_FMT_YUV420P);

            grabber.setPixelFormat(AV_PIX_FMT_BGR24);
            byte[] first = null;
            byte[] last = null;
            int frames = 0;
            float audioPeak = 0;
            Frame frame;
            while ((frame = grabber.grab()) != null) {
                if (frame.image != null) {
                    ByteBuffer buf = ((ByteBuffer) frame.image[0]).duplicate();
                    buf.rewind();
                    if (last == null) {
                        last = new byte[buf.remaining()];
                    }
                    buf.get(last);
                    if (first == null) {
                        first = last.clone();
                    }
                    frames++;
                }
                if (frame.samples != null) {
                    audioPeak = Math.max(audioPeak, peak(frame));
                }
            }
            assertThat(frames).isBetween(119, 122);
            assertThat(meanAbsDiff(first, last)).as("camera motion between first and last frame")
                    .isGreaterThan(3.0);
            assertThat(audioPeak).as("audio peak").isBetween(0.05f, 0.9f);
        }
    }

    /** The pixel format stored in the file, before any conversion by the grabber. */
    private static int videoStreamPixelFormat(FFmpegFrameGrabber grabber) {
        AVFormatContext ctx = grabber.getFormatContext();
        for (int i = 0; i < ctx.nb_streams(); i++) {
            AVCodecParameters par = ctx.streams(i).codecpar();
            if (par.codec_type() == AVMEDIA_TYPE_VIDEO) {
                return par.format();
            }
        }
        return -1;
    }

    private static void assertPoster(RenderedVideo video) throws IOException {
        byte[] poster = video.posterJpeg();
        assertThat(poster[0] & 0xFF).isEqualTo(0xFF);
        assertThat(poster[1] & 0xFF).isEqualTo(0xD8);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(poster));
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(video.width());
        assertThat(image.getHeight()).isEqualTo(video.height());
        assertThat(image.getColorModel().getNumComponents()).isEqualTo(3);
    }

    private static List<String> topLevelBoxes(byte[] mp4) {
        List<String> boxes = new ArrayList<>();
        long pos = 0;
        while (pos + 8 <= mp4.length) {
            int p = (int) pos;
            long size = ((mp4[p] & 0xFFL) << 24) | ((mp4[p + 1] & 0xFFL) << 16)
                    | ((mp4[p + 2] & 0xFFL) << 8) | (mp4[p + 3] & 0xFFL);
            boxes.add(new String(mp4, p + 4, 4, StandardCharsets.US_ASCII));
            if (size == 1 && p + 16 <= mp4.length) {
                size = ByteBuffer.wrap(mp4, p + 8, 8).getLong();
            }
            if (size < 8) {
                break;
            }
            pos += size;
        }
        return boxes;
    }

    private static float peak(Frame frame) {
        float peak = 0;
        for (java.nio.Buffer b : frame.samples) {
            if (b instanceof FloatBuffer fb) {
                for (int i = 0; i < fb.limit(); i++) {
                    peak = Math.max(peak, Math.abs(fb.get(i)));
                }
            } else if (b instanceof ShortBuffer sb) {
                for (int i = 0; i < sb.limit(); i++) {
                    peak = Math.max(peak, Math.abs(sb.get(i) / 32768f));
                }
            }
        }
        return peak;
    }

    private static double meanAbsDiff(byte[] a, byte[] b) {
        assertThat(a).hasSameSizeAs(b);
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        }
        return sum / (double) a.length;
    }

    private static BufferedImage testImage(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(30, 60, 160), w, h, new Color(240, 170, 60)));
        g.fillRect(0, 0, w, h);
        g.setStroke(new BasicStroke(Math.max(2, w / 80f)));
        g.setColor(Color.WHITE);
        for (int i = 1; i < 8; i++) {
            g.drawLine(i * w / 8, 0, i * w / 8, h);
            g.drawLine(0, i * h / 8, w, i * h / 8);
        }
        g.setColor(new Color(20, 140, 70));
        g.fillOval(w / 3, h / 3, w / 4, h / 4);
        g.dispose();
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    /** ImageIO cannot write WebP; FFmpeg's libwebp encoder can. */
    private byte[] webpImage(BufferedImage image) throws Exception {
        Path file = tmp.resolve("input.webp");
        try (Java2DFrameConverter converter = new Java2DFrameConverter();
             FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), image.getWidth(), image.getHeight(), 0)) {
            recorder.setFormat("webp");
            recorder.setVideoCodec(AV_CODEC_ID_WEBP);
            recorder.setFrameRate(1);
            recorder.start();
            BufferedImage bgr = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            bgr.getGraphics().drawImage(image, 0, 0, null);
            recorder.record(converter.convert(bgr), AV_PIX_FMT_BGR24);
            recorder.stop();
        }
        return Files.readAllBytes(file);
    }
}
