package io.github.ssm4j.examples.plot;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * A grid of small images in one PNG: what {@code ssm sample} draws for image models. Pixel values are
 * clipped to [lo, hi] and mapped linearly to 0..255; one channel is drawn grey, three as RGB.
 *
 * <p>Stability: public API.
 */
public final class ImageGrid {
    private static final int GAP = 2;

    private ImageGrid() {
    }

    /**
     * Writes {@code images} (one row per image, {@code channels·height·width} values each, channel-major
     * like an {@code [N, C, H, W]} array) as a grid of about √N columns, each pixel drawn {@code zoom}×{@code zoom}.
     *
     * @throws IllegalArgumentException for a channel count other than 1 or 3, or rows of the wrong length
     */
    public static Path write(Path file, double[][] images, int channels, int height, int width, double lo, double hi,
            int zoom) {
        return Plots.writePng(render(images, channels, height, width, lo, hi, zoom), file);
    }

    /** The grid of {@link #write} as an image, for composing with other pictures. */
    public static BufferedImage render(double[][] images, int channels, int height, int width, double lo, double hi,
            int zoom) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("An image grid needs 1 or 3 channels, got " + channels);
        }
        if (images.length == 0 || height < 1 || width < 1 || zoom < 1 || !(hi > lo)) {
            throw new IllegalArgumentException("An image grid needs ≥ 1 image, positive sizes and hi > lo");
        }
        int size = channels * height * width;
        int cols = (int) Math.ceil(Math.sqrt(images.length));
        int rows = (images.length + cols - 1) / cols;
        int cw = width * zoom + GAP;
        int ch = height * zoom + GAP;
        BufferedImage img = new BufferedImage(cols * cw + GAP, rows * ch + GAP, BufferedImage.TYPE_INT_RGB);
        int background = 0x808080;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, background);
            }
        }
        for (int n = 0; n < images.length; n++) {
            double[] im = images[n];
            if (im.length != size) {
                throw new IllegalArgumentException("Image " + n + " has " + im.length + " values, expected "
                        + channels + "×" + height + "×" + width + " = " + size);
            }
            int x0 = GAP + (n % cols) * cw;
            int y0 = GAP + (n / cols) * ch;
            for (int i = 0; i < height; i++) {
                for (int j = 0; j < width; j++) {
                    int r;
                    int g;
                    int b;
                    if (channels == 1) {
                        r = g = b = level(im[i * width + j], lo, hi);
                    } else {
                        int plane = height * width;
                        r = level(im[i * width + j], lo, hi);
                        g = level(im[plane + i * width + j], lo, hi);
                        b = level(im[2 * plane + i * width + j], lo, hi);
                    }
                    int rgb = (r << 16) | (g << 8) | b;
                    for (int dy = 0; dy < zoom; dy++) {
                        for (int dx = 0; dx < zoom; dx++) {
                            img.setRGB(x0 + j * zoom + dx, y0 + i * zoom + dy, rgb);
                        }
                    }
                }
            }
        }
        return img;
    }

    private static int level(double v, double lo, double hi) {
        double t = Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
        return (int) Math.round(255 * t);
    }
}
