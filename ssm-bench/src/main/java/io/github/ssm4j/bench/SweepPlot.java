package io.github.ssm4j.bench;

import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The D-sweep plot: step time against D (log-log) for every (side, objective) of the sweep rows (sizes
 * {@code dN}) in the given CSV files of {@link BenchMain} and {@code torch_bench.py}.
 *
 * <pre>java -cp ... io.github.ssm4j.bench.SweepPlot out.png java-t1.csv torch-t1.csv</pre>
 */
public final class SweepPlot {
    private SweepPlot() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (String file : Arrays.copyOfRange(args, 1, args.length)) {
            List<String> lines = Files.readAllLines(Path.of(file));
            List<String> header = List.of(lines.get(0).split(","));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                if (f.length != header.size() || !f[header.indexOf("size")].matches("d\\d+")) {
                    continue;
                }
                String key = f[header.indexOf("side")] + " " + f[header.indexOf("objective")];
                series.computeIfAbsent(key, XYSeries::new).add(Double.parseDouble(f[header.indexOf("d")]),
                        Double.parseDouble(f[header.indexOf("median_ms")]));
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        new ArrayList<>(series.values()).forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart("Training step time vs. data dimension D "
                + "(MLP D→128→128→D, batch 128)", "D", "ms per step", data, PlotOrientation.VERTICAL, true, false,
                false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("D");
        x.setBase(2);
        x.setNumberFormatOverride(new DecimalFormat("0"));
        plot.setDomainAxis(x);
        LogAxis y = new LogAxis("ms per step");
        y.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        plot.setRangeAxis(y);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        ChartUtils.saveChartAsPNG(Path.of(args[0]).toFile(), chart, 900, 560);
        System.out.println("Wrote " + args[0]);
    }
}
