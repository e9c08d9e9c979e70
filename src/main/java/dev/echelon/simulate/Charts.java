package dev.echelon.simulate;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.ResidencyModel;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulation's plots, drawn with XChart and written as PNG (Java2D, headless) and SVG: per family, the TTFT
 * CDF of every policy and the GPU memory reserved over time; per family and policy, each role's state over time.
 */
public final class Charts {

    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int MAX_POINTS = 120;

    private final ResidencyModel model;

    public Charts(ResidencyModel model) {
        System.setProperty("java.awt.headless", "true");
        this.model = model;
    }

    /** Writes every plot of a family under {@code dir}; returns the files written (without extension). */
    public List<Path> write(SimulationSuite.FamilyResult family, Path dir) throws IOException {
        Files.createDirectories(dir);
        String id = family.trace().family().id();
        List<Path> out = new ArrayList<>();
        out.add(save(ttftCdf(family), dir.resolve(id + "-ttft-cdf")));
        out.add(save(gpuPressure(family), dir.resolve(id + "-gpu-pressure")));
        for (RunResult run : family.runs()) {
            out.add(save(stateTimeline(run), dir.resolve(id + "-" + run.policy() + "-states")));
        }
        return out;
    }

    /** Share of requests with TTFT ≤ x, per policy; x on a log scale (TTFT below 10 ms drawn at 10 ms). */
    XYChart ttftCdf(SimulationSuite.FamilyResult family) {
        XYChart c = chart(family.trace().family().id() + ": TTFT CDF per policy", "TTFT (s, log scale)",
                "share of requests");
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        c.getStyler().setYAxisDecimalPattern("0.0");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        for (RunResult run : family.runs()) {
            double[] t = PolicyMetrics.sortedTtft(run);
            if (t.length == 0) {
                continue;
            }
            int n = t.length;
            int step = Math.max(1, n / MAX_POINTS);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < n; i += step) {
                xs.add(Math.max(0.01, t[i]));
                ys.add((i + 1.0) / n);
            }
            xs.add(Math.max(0.01, t[n - 1]));
            ys.add(1.0);
            XYSeries s = c.addSeries(run.policy(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    /** GPU memory reserved over time as a share of the budget, per policy (a transition reserves both ends). */
    XYChart gpuPressure(SimulationSuite.FamilyResult family) {
        XYChart c = chart(family.trace().family().id() + ": GPU memory reserved (share of the budget)", "minutes",
                "GPU pressure");
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.05);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double budget = Math.max(1, model.budgets().gpuBytes());
        for (RunResult run : family.runs()) {
            List<Timeline.Pressure> p = thin(run.timeline().pressure());
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Timeline.Pressure q : p) {
                xs.add(q.atSeconds() / 60);
                ys.add(q.gpuBytes() / budget);
            }
            xs.add(run.endSeconds() / 60);
            ys.add(ys.get(ys.size() - 1));
            XYSeries s = c.addSeries(run.policy(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    /**
     * Each role's state over time: S0 at the top, S6 at the bottom, S5 while a transition runs; roles are offset a
     * little so that lines at the same state stay apart.
     */
    XYChart stateTimeline(RunResult run) {
        XYChart c = chart(run.trace().family().id() + " / " + run.policy() + ": state per role", "minutes", "state");
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        c.getStyler().setYAxisMin(-0.4).setYAxisMax(6.6);
        c.getStyler().setYAxisTickMarkSpacingHint(50);
        c.getStyler().setyAxisTickLabelsFormattingFunction(Charts::stateLabel);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        List<String> roles = new ArrayList<>(run.timeline().states().keySet());
        for (int i = 0; i < roles.size(); i++) {
            String role = roles.get(i);
            double offset = (i - (roles.size() - 1) / 2.0) * 0.07;
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Timeline.Segment s : run.timeline().states().get(role)) {
                xs.add(s.atSeconds() / 60);
                ys.add(6 - s.state().ordinal() + offset);
            }
            xs.add(run.endSeconds() / 60);
            ys.add(ys.get(ys.size() - 1));
            XYSeries s = c.addSeries(role, xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    private static String stateLabel(double v) {
        long k = Math.round(v);
        // XChart drops a tick set whose labels repeat, so off-state ticks keep their (unique) number
        return Math.abs(v - k) < 1e-6 && k >= 0 && k <= 6 ? ResidencyState.values()[(int) (6 - k)].name()
                : String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    private static List<Timeline.Pressure> thin(List<Timeline.Pressure> p) {
        if (p.size() <= MAX_POINTS) {
            return p;
        }
        int step = p.size() / MAX_POINTS + 1;
        List<Timeline.Pressure> out = new ArrayList<>();
        for (int i = 0; i < p.size(); i += step) {
            // keep the peak of each bucket so that the plot never hides a high-water mark
            Timeline.Pressure peak = p.get(i);
            for (int j = i; j < Math.min(p.size(), i + step); j++) {
                if (p.get(j).gpuBytes() > peak.gpuBytes()) {
                    peak = new Timeline.Pressure(p.get(i).atSeconds(), p.get(j).gpuBytes(), p.get(j).hostBytes());
                }
            }
            out.add(peak);
        }
        return out;
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setAntiAlias(true);
        c.getStyler().setMarkerSize(0);
        c.getStyler().setPlotGridLinesVisible(true);
        // solid grid lines: a dashed stroke turns into thousands of dash outlines in the SVG
        c.getStyler().setPlotGridLinesStroke(new java.awt.BasicStroke(0.5f));
        c.getStyler().setPlotGridLinesColor(new java.awt.Color(225, 225, 225));
        return c;
    }

    private static Path save(XYChart c, Path base) throws IOException {
        BitmapEncoder.saveBitmap(c, base + ".png", BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(c, base + ".svg", VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return base;
    }
}
