package dev.videogen.worker.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

/** A JPEG still of a video: its first picture, decoded with FFmpeg. CPU-bound; call it off the event loops. */
public final class PosterExtractor {

    private static final float QUALITY = 0.85f;

    /** The poster and the video's duration. */
    public record Still(byte[] jpeg, long durationMs, int width, int height) {
    }

    /**
     * @throws IOException if the file is not a video FFmpeg can decode (then it is not playable either)
     */
    public Still extract(Path video) throws IOException {
        Ffmpeg.load();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            // one picture is all we need: a short probe, one decoder thread (posters run side by side)
            grabber.setOption("probesize", "65536");
            grabber.setOption("analyzeduration", "0");
            grabber.setVideoOption("threads", "1");
            grabber.start();
            if (grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
                throw new IOException("the file has no video stream");
            }
            Frame frame = grabber.grabImage();
            if (frame == null || frame.image == null) {
                throw new IOException("the video has no decodable picture");
            }
            BufferedImage image = converter.convert(frame);
            if (image == null) {
                throw new IOException("unsupported pixel layout");
            }
            long durationMs = Math.max(0, grabber.getLengthInTime() / 1000);
            return new Still(Ffmpeg.encodeJpeg(image, QUALITY), durationMs, grabber.getImageWidth(),
                    grabber.getImageHeight());
        } catch (FFmpegFrameGrabber.Exception e) {
            throw new IOException("FFmpeg cannot read the video: " + e.getMessage(), e);
        }
    }
}
