package io.github.ssm4j.examples.plot;

import io.github.ssm4j.examples.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.VectorRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.VectorSeries;
import org.jfree.data.xy.VectorSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The figures of the examples, as PNG files: point clouds, score fields (quiver plots), heat maps of a
 * (log-)density and training curves. Several panels can be placed side by side in one file
 * ({@link #writeSideBySide}). Rendering is headless; files are written atomically.
 */
public final class Plots {
    private static final int PANEL = 480;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** A scatter plot of 2-D points {@code [n][2]}. */
    public static JFreeChart scatter(String title, double[][] points, Color color, Range2D range) {
        XYSeries s = new XYSeries(title, false, true);
        for (double[] p : points) {
            s.add(p[0], p[1]);
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, "x₁", "x₂", new XYSeriesCollection(s),
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        r.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-1.2, -1.2, 2.4, 2.4));
        r.setSeriesPaint(0, color);
        style(plot, range);
        return chart;
    }

    /**
     * A quiver plot of a vector field on a grid: arrows along {@code vectors[i]} at {@code points[i]}, of
     * length proportional to |v|^⅓ (a score grows linearly far from the data; the cube root keeps the
     * directions near the modes visible), the longest spanning {@code 0.9} grid cells.
     */
    public static JFreeChart quiver(String title, double[][] points, double[][] vectors, double cell, Range2D range) {
        double longest = 1e-300;
        for (double[] v : vectors) {
            longest = Math.max(longest, Math.cbrt(Math.hypot(v[0], v[1])));
        }
        VectorSeries series = new VectorSeries(title);
        for (int i = 0; i < points.length; i++) {
            double norm = Math.hypot(vectors[i][0], vectors[i][1]);
            double length = norm == 0 ? 0 : 0.9 * cell * Math.cbrt(norm) / longest / norm;
            series.add(points[i][0], points[i][1], vectors[i][0] * length, vectors[i][1] * length);
        }
        VectorSeriesCollection data = new VectorSeriesCollection();
        data.addSeries(series);
        VectorRenderer renderer = new VectorRenderer();
        renderer.setSeriesPaint(0, new Color(30, 90, 160));
        renderer.setSeriesStroke(0, new BasicStroke(1.0f));
        XYPlot plot = new XYPlot(data, new NumberAxis("x₁"), new NumberAxis("x₂"), renderer);
        style(plot, range);
        return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    }

    /** A heat map of {@code values[i][j]} at grid point (xs[i], ys[j]), with a colour legend. */
    public static JFreeChart heatmap(String title, double[] xs, double[] ys, double[][] values, String legend) {
        DefaultXYZDataset data = new DefaultXYZDataset();
        int n = xs.length * ys.length;
        double[][] xyz = new double[3][n];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int k = 0;
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < ys.length; j++) {
                xyz[0][k] = xs[i];
                xyz[1][k] = ys[j];
                xyz[2][k] = values[i][j];
                lo = Math.min(lo, values[i][j]);
                hi = Math.max(hi, values[i][j]);
                k++;
            }
        }
        data.addSeries(title, xyz);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockWidth(xs.length > 1 ? xs[1] - xs[0] : 1);
        renderer.setBlockHeight(ys.length > 1 ? ys[1] - ys[0] : 1);
        Viridis scale = new Viridis(lo, hi == lo ? lo + 1 : hi);
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, new NumberAxis("x₁"), new NumberAxis("x₂"), renderer);
        style(plot, new Range2D(xs[0], xs[xs.length - 1], ys[0], ys[ys.length - 1]));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis(legend);
        legendAxis.setRange(scale.getLowerBound(), scale.getUpperBound());
        PaintScaleLegend bar = new PaintScaleLegend(scale, legendAxis);
        bar.setPosition(RectangleEdge.RIGHT);
        bar.setMargin(4, 4, 40, 4);
        chart.addSubtitle(bar);
        return chart;
    }

    /** Lines {@code y(x)} for named series, e.g. the loss and its terms against the step. */
    public static JFreeChart curves(String title, String xLabel, String yLabel, List<String> names,
                                    double[] x, List<double[]> ys) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int s = 0; s < names.size(); s++) {
            XYSeries series = new XYSeries(names.get(s), false, true);
            for (int i = 0; i < x.length; i++) {
                series.add(x[i], ys.get(s)[i]);
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        chart.getXYPlot().setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setDomainGridlinePaint(Color.LIGHT_GRAY);
        chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    /** Two images side by side with a caption above each, written as one PNG. */
    public static Path writeLabelledPair(Path file, String leftCaption, BufferedImage left, String rightCaption,
                                         BufferedImage right) {
        return writePng(labelledPair(leftCaption, left, rightCaption, right), file);
    }

    /** Two images side by side with a caption above each, as one image (e.g. to display in a notebook). */
    public static BufferedImage labelledPair(String leftCaption, BufferedImage left, String rightCaption,
                                             BufferedImage right) {
        int gap = 20;
        int top = 28;
        BufferedImage out = new BufferedImage(left.getWidth() + right.getWidth() + 3 * gap,
                Math.max(left.getHeight(), right.getHeight()) + top + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(JFreeChart.DEFAULT_TITLE_FONT.deriveFont(14f));
        g.drawString(leftCaption, gap, 20);
        g.drawString(rightCaption, 2 * gap + left.getWidth(), 20);
        g.drawImage(left, gap, top, null);
        g.drawImage(right, 2 * gap + left.getWidth(), top, null);
        g.dispose();
        return out;
    }

    /** Renders the charts next to each other into one PNG, written atomically. */
    public static Path writeSideBySide(Path file, JFreeChart... charts) {
        return writePng(sideBySide(charts), file);
    }

    /** The charts next to each other, each 480×480, as one image (e.g. to display in a notebook). */
    public static BufferedImage sideBySide(JFreeChart... charts) {
        BufferedImage image = new BufferedImage(PANEL * charts.length, PANEL, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int i = 0; i < charts.length; i++) {
            charts[i].draw(g, new java.awt.geom.Rectangle2D.Double(i * PANEL, 0, PANEL, PANEL));
        }
        g.dispose();
        return image;
    }

    /** Writes an image as PNG atomically (temporary file, then rename). */
    public static Path writePng(BufferedImage image, Path file) {
        return AtomicFiles.write(file, tmp -> {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    private static void style(XYPlot plot, Range2D range) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(220, 220, 220));
        plot.setRangeGridlinePaint(new Color(220, 220, 220));
        if (range != null) {
            plot.getDomainAxis().setRange(range.xMin(), range.xMax());
            plot.getRangeAxis().setRange(range.yMin(), range.yMax());
        }
    }

    /** The visible region of a 2-D plot. */
    public record Range2D(double xMin, double xMax, double yMin, double yMax) {
        /** The bounding box of the finite points {@code [n][2]} with a 15 % margin; [−1, 1]² if degenerate. */
        public static Range2D around(double[][] points) {
            double x0 = Double.POSITIVE_INFINITY;
            double x1 = Double.NEGATIVE_INFINITY;
            double y0 = Double.POSITIVE_INFINITY;
            double y1 = Double.NEGATIVE_INFINITY;
            for (double[] p : points) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    x0 = Math.min(x0, p[0]);
                    x1 = Math.max(x1, p[0]);
                    y0 = Math.min(y0, p[1]);
                    y1 = Math.max(y1, p[1]);
                }
            }
            if (!(x1 > x0) || !(y1 > y0)) {
                return new Range2D(-1, 1, -1, 1);
            }
            double mx = 0.15 * (x1 - x0);
            double my = 0.15 * (y1 - y0);
            return new Range2D(x0 - mx, x1 + mx, y0 - my, y1 + my);
        }
    }

    /** A perceptually uniform colour scale (viridis, interpolated from 5 anchor colours). */
    static final class Viridis implements PaintScale {
        private static final int[][] ANCHORS = {
            {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        private final double lo;
        private final double hi;

        Viridis(double lo, double hi) {
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public double getLowerBound() {
            return lo;
        }

        @Override
        public double getUpperBound() {
            return hi;
        }

        @Override
        public Paint getPaint(double value) {
            double t = Double.isFinite(value) ? Math.max(0, Math.min(1, (value - lo) / (hi - lo))) : 0;
            double pos = t * (ANCHORS.length - 1);
            int i = Math.min((int) pos, ANCHORS.length - 2);
            double f = pos - i;
            int[] a = ANCHORS[i];
            int[] b = ANCHORS[i + 1];
            return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                    (int) Math.round(a[2] + f * (b[2] - a[2])));
        }
    }
}
