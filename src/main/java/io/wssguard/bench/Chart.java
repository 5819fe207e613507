package io.wssguard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench.svg}, written by hand: on the left a bar per proxied target with its proxy CPU per
 * relayed message, on the right every target's round-trip time against percentile (log scale of
 * 1/(1 - p), so p50, p90, p99, p99.9, p99.99 are evenly spaced). Opens in any browser.
 */
final class Chart {
  private static final String[] COLORS = {
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d", "#eeca3b"
  };
  private static final int W = 1000;
  private static final int H = 460;

  private Chart() {}

  static String svg(List<TargetResult> results, String subtitle) {
    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            W,
            H,
            W,
            H));
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(sb, 20, 24, "wssguard bench", "font-size=\"16\" font-weight=\"bold\"");
    text(sb, 20, 42, subtitle, "fill=\"#555\"");
    bars(sb, results, 20, 70, 400, 330);
    curves(sb, results, 500, 70, 460, 330);
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static void bars(
      StringBuilder sb, List<TargetResult> results, int x0, int y0, int w, int h) {
    text(sb, x0, y0 - 8, "proxy CPU per relayed message (µs)", "font-weight=\"bold\"");
    List<TargetResult> proxied = new ArrayList<>();
    double max = 0;
    for (TargetResult r : results) {
      if (r.target().proxied()) {
        proxied.add(r);
        if (r.proxyCpuUsPerMessage() != null) {
          max = Math.max(max, r.proxyCpuUsPerMessage());
        }
      }
    }
    int plotTop = y0 + 10;
    int plotBottom = y0 + h - 40;
    line(sb, x0 + 30, plotBottom, x0 + w, plotBottom, "#333");
    double top = niceCeiling(max);
    for (int i = 0; i <= 4; i++) {
      double v = top * i / 4;
      double y = plotBottom - (plotBottom - plotTop) * i / 4.0;
      line(sb, x0 + 30, y, x0 + w, y, "#ddd");
      text(sb, x0 + 26, y + 4, trim(v), "text-anchor=\"end\" fill=\"#555\"");
    }
    if (proxied.isEmpty()) {
      text(sb, x0 + 40, plotTop + 20, "no proxied targets in this run", "fill=\"#555\"");
      return;
    }
    double slot = (w - 40.0) / proxied.size();
    for (int i = 0; i < proxied.size(); i++) {
      TargetResult r = proxied.get(i);
      double cx = x0 + 40 + slot * i + slot / 2;
      double bw = Math.min(60, slot * 0.6);
      Double v = r.proxyCpuUsPerMessage();
      if (v != null && top > 0) {
        double bh = (plotBottom - plotTop) * v / top;
        sb.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                cx - bw / 2,
                plotBottom - bh,
                bw,
                bh,
                color(results, r)));
        text(
            sb,
            cx,
            plotBottom - bh - 4,
            String.format(Locale.ROOT, "%.1f", v),
            "text-anchor=\"middle\"");
      }
      text(sb, cx, plotBottom + 16, r.target().id, "text-anchor=\"middle\"");
    }
  }

  private static void curves(
      StringBuilder sb, List<TargetResult> results, int x0, int y0, int w, int h) {
    text(sb, x0, y0 - 8, "round-trip time (ms) by percentile", "font-weight=\"bold\"");
    double[] ps = TargetResult.CURVE_PERCENTILES;
    double max = 0;
    for (TargetResult r : results) {
      for (double v : r.curveMs()) {
        if (!Double.isNaN(v)) {
          max = Math.max(max, v);
        }
      }
    }
    double top = niceCeiling(max);
    int left = x0 + 40;
    int right = x0 + w;
    int plotTop = y0 + 10;
    int plotBottom = y0 + h - 80;
    double xMax = logX(ps[ps.length - 1]);
    double xMin = logX(ps[0]);
    for (int i = 0; i <= 4; i++) {
      double y = plotBottom - (plotBottom - plotTop) * i / 4.0;
      line(sb, left, y, right, y, "#ddd");
      text(sb, left - 4, y + 4, trim(top * i / 4), "text-anchor=\"end\" fill=\"#555\"");
    }
    for (double p : new double[] {50, 90, 99, 99.9, 99.99}) {
      double x = left + (right - left) * (logX(p) - xMin) / (xMax - xMin);
      line(sb, x, plotTop, x, plotBottom, "#eee");
      text(
          sb, x, plotBottom + 16, Report.percentileName(p), "text-anchor=\"middle\" fill=\"#555\"");
    }
    line(sb, left, plotBottom, right, plotBottom, "#333");
    int legendY = plotBottom + 36;
    for (int k = 0; k < results.size(); k++) {
      TargetResult r = results.get(k);
      String c = color(results, r);
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < ps.length; i++) {
        double v = r.curveMs().get(i);
        if (Double.isNaN(v) || top <= 0) {
          continue;
        }
        double x = left + (right - left) * (logX(ps[i]) - xMin) / (xMax - xMin);
        double y = plotBottom - (plotBottom - plotTop) * v / top;
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      if (pts.length() > 0) {
        sb.append("<polyline fill=\"none\" stroke=\"")
            .append(c)
            .append("\" stroke-width=\"2\" points=\"")
            .append(pts.toString().trim())
            .append("\"/>\n");
      }
      double lx = left + (k % 3) * 140;
      double ly = legendY + (k / 3) * 18;
      line(sb, lx, ly - 4, lx + 18, ly - 4, c);
      text(sb, lx + 24, ly, r.target().id, "");
    }
  }

  private static double logX(double percentile) {
    return Math.log10(100 / (100 - percentile));
  }

  private static String color(List<TargetResult> results, TargetResult r) {
    return COLORS[results.indexOf(r) % COLORS.length];
  }

  private static double niceCeiling(double v) {
    if (v <= 0 || Double.isNaN(v)) {
      return 1;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * mag >= v) {
        return step * mag;
      }
    }
    return 10 * mag;
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static void line(
      StringBuilder sb, double x1, double y1, double x2, double y2, String stroke) {
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"/>%n",
            x1,
            y1,
            x2,
            y2,
            stroke,
            stroke.equals("#ddd") || stroke.equals("#eee") ? "1" : "2"));
  }

  private static void text(StringBuilder sb, double x, double y, String s, String attrs) {
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\"%s>%s</text>%n",
            x,
            y,
            attrs.isEmpty() ? "" : " " + attrs,
            escape(s)));
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
