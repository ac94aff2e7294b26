package dev.videogen.worker.demo;

/**
 * The result of a demo render.
 *
 * @param mp4        a complete MP4 file (H.264 yuv420p video + AAC audio, moov atom at the front)
 * @param posterJpeg a baseline RGB JPEG of the first frame, at the video's size
 * @param width      video width in pixels (even)
 * @param height     video height in pixels (even)
 * @param durationMs nominal video duration in milliseconds
 */
public record RenderedVideo(byte[] mp4, byte[] posterJpeg, int width, int height, long durationMs) {
}
