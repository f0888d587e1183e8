package io.github.ssm4j.examples.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    @TempDir
    Path dir;

    /** The PNG decodes, has one 480-pixel panel per chart, and is not blank (many distinct colours). */
    private static void assertPicture(Path png, int panels) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(480 * panels, img.getWidth());
        assertEquals(480, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int x = 0; x < img.getWidth(); x += 3) {
            for (int y = 0; y < img.getHeight(); y += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "only " + colours.size() + " colours in " + png);
        try (var files = Files.list(png.getParent())) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".partial")), "no temporary files left");
        }
    }

    @Test
    void everyFigureKindRendersToAPng() throws Exception {
        Random r = new Random(1);
        double[][] pts = new double[500][2];
        for (double[] p : pts) {
            p[0] = r.nextGaussian();
            p[1] = r.nextGaussian();
        }
        Plots.Range2D range = new Plots.Range2D(-3, 3, -3, 3);
        Path scatter = Plots.writeSideBySide(dir.resolve("scatter.png"),
                Plots.scatter("data", pts, java.awt.Color.BLACK, range),
                Plots.scatter("samples", pts, java.awt.Color.RED, range));
        assertPicture(scatter, 2);

        int n = 15;
        double[] xs = new double[n];
        double[][] grid = new double[n * n][2];
        double[][] field = new double[n * n][2];
        double[][] values = new double[n][n];
        for (int i = 0; i < n; i++) {
            xs[i] = -3 + 6.0 * i / (n - 1);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                grid[i * n + j] = new double[] {xs[i], xs[j]};
                field[i * n + j] = new double[] {-xs[i], -xs[j]};
                values[i][j] = -0.5 * (xs[i] * xs[i] + xs[j] * xs[j]);
            }
        }
        assertPicture(Plots.writeSideBySide(dir.resolve("field.png"),
                Plots.quiver("score", grid, field, 6.0 / (n - 1), range)), 1);
        assertPicture(Plots.writeSideBySide(dir.resolve("heat.png"),
                Plots.heatmap("log density", xs, xs, values, "log p")), 1);
        double[] steps = {0, 1, 2, 3};
        assertPicture(Plots.writeSideBySide(dir.resolve("loss.png"), Plots.curves("loss", "step", "value",
                List.of("loss", "norm"), steps, List.of(new double[] {4, 3, 2, 1.5}, new double[] {2, 1.5, 1, 0.9}))), 1);
    }
}
