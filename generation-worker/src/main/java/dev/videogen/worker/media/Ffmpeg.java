package dev.videogen.worker.media;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;

/** The FFmpeg natives and JPEG encoding shared by the demo renderer and the poster extractor. */
public final class Ffmpeg {

    private static volatile boolean loaded;

    private Ffmpeg() {
    }

    /**
     * Loads the FFmpeg natives once. Not FFmpegFrameGrabber/FFmpegFrameRecorder.tryLoad(): those also load
     * libavdevice, which needs the system's libpulse.so.0; the recorder and grabber only need the libraries below
     * (their static initialisers tolerate a missing libavdevice).
     */
    public static void load() throws IOException {
        if (loaded) {
            return;
        }
        synchronized (Ffmpeg.class) {
            if (!loaded) {
                try {
                    Loader.load(avutil.class);
                    Loader.load(swresample.class);
                    Loader.load(avcodec.class);
                    Loader.load(avformat.class);
                    Loader.load(swscale.class);
                } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError...
                    throw new IOException("cannot load the FFmpeg native libraries: " + e, e);
                }
                avutil.av_log_set_level(AV_LOG_ERROR);
                loaded = true;
            }
        }
    }

    /** A baseline JPEG of the image at the given quality (0..1). */
    public static byte[] encodeJpeg(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
