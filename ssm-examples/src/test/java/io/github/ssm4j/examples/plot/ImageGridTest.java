package io.github.ssm4j.examples.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path dir;

    @Test
    void drawsClippedGreyAndRgbTiles() throws Exception {
        double[][] grey = {{0, 1, 0.5, 2}, {-1, 0, 0, 0}};
        BufferedImage g = ImageIO.read(ImageGrid.write(dir.resolve("g.png"), grey, 1, 2, 2, 0, 1, 1).toFile());
        assertEquals(2 * 2 + 3 * 2, g.getWidth());
        assertEquals(0x000000, g.getRGB(2, 2) & 0xFFFFFF);
        assertEquals(0xFFFFFF, g.getRGB(3, 2) & 0xFFFFFF);
        assertEquals(0xFFFFFF, g.getRGB(3, 3) & 0xFFFFFF, "values above hi are clipped");
        double[][] rgb = {{1, 0, 1, 0, 0, 0}};
        BufferedImage c = ImageIO.read(ImageGrid.write(dir.resolve("c.png"), rgb, 3, 1, 2, 0, 1, 1).toFile());
        assertEquals(0xFFFF00, c.getRGB(2, 2) & 0xFFFFFF, "planes R = (1, 0), G = (1, 0), B = (0, 0)");
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.write(dir.resolve("x.png"), grey, 2, 1, 2, 0, 1, 1));
    }
}
