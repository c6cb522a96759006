package org.prefixmoe.plotting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.prefixmoe.simulation.RateEvidence;
import org.prefixmoe.simulation.RateFit;
import org.prefixmoe.simulation.RateEvidence.Slope;
import org.prefixmoe.simulation.Scenario;
import org.prefixmoe.simulation.Summary;

/**
 * One self-contained HTML page per study folder (docs/theory.md §6): the figures inline as
 * {@code data:} URIs, the verdicts with their intervals, the log-factor and lack-of-fit columns,
 * the outcomes with fits at the iteration cap, the mean {@code D_1} by outcome class, the
 * scenario and solver settings, the versions that produced the page and the command that
 * regenerates the folder. Nothing is loaded from outside the file.
 */
public final class StudyReport {
    private StudyReport() {
    }

    /**
     * The versions recorded on a page.
     *
     * @param toolkit the toolkit's version
     * @param java the Java runtime's version
     * @param kernels the kernels of the runs, from {@code runs.log} (may be empty)
     */
    public record Versions(String toolkit, String java, String kernels) {
    }

    /**
     * The page of a study folder.
     *
     * @param s the scenario of the folder
     * @param summary the summary of its rows
     * @param dir the folder (its PNG figures are inlined, its {@code runs.log} read for kernels and
     *     the plan record)
     * @param command the command that regenerates the folder
     * @param versions the versions to record
     * @return the HTML text
     */
    public static String html(Scenario s, Summary summary, Path dir, String command, Versions versions) {
        StringBuilder h = new StringBuilder();
        head(h, s.name());
        h.append("<h1 id=\"title\">").append(esc(s.name())).append("</h1>\n");
        if (!s.description().isBlank()) {
            h.append("<p>").append(esc(s.description().strip())).append("</p>\n");
        }
        h.append("<p>Regenerate the folder (rows, summaries, figures and this page) with <code id=\"command\">")
                .append(esc(command)).append("</code>; redraw this page alone from the committed rows with"
                        + " <code>bin/prefixmoe report ").append(esc(dir.toString())).append("</code>.</p>\n");
        h.append("<h2>Verdicts</h2>\n<p>").append(esc(verdictRule(summary))).append("</p>\n");
        h.append("<table id=\"verdicts\"><tr><th>study</th><th>loss</th><th>slope</th><th>95% CI (bootstrap)</th>"
                + "<th>95% CI (t)</th><th>slope on n/log n [bootstrap]</th><th>b + c log log n: b [bootstrap], c</th>"
                + "<th>lack of fit χ²/df (p)</th><th>theory</th><th>verdict</th></tr>\n");
        for (Summary.Rate r : summary.rates()) {
            RateFit f = r.fit();
            RateEvidence e = r.evidence();
            String v = r.verdict().text();
            String cls = r.verdict().knifeEdge() ? "v-knife" : r.verdict().kind().agrees() ? "v-agrees" : "v-other";
            h.append("<tr><td>").append(esc(r.study().name())).append("</td><td>").append(esc(r.metric()))
                    .append("</td><td>").append(r.theory().hasSlope() ? num(f.slope()) : "(" + num(f.slope()) + ")")
                    .append("</td><td>").append(ci(f.bootLow(), f.bootHigh())).append("</td><td>")
                    .append(ci(f.low(), f.high())).append("</td><td>").append(slope(e.logFactor())).append("</td><td>")
                    .append(slope(e.logLogB())).append(", ").append(num(e.logLogC().value())).append("</td><td>")
                    .append(Double.isFinite(e.chiSquare()) ? String.format(Locale.ROOT, "%.2g/%d (%.3f)",
                            e.chiSquare(), e.degreesOfFreedom(), e.lackOfFitP()) : "—")
                    .append("</td><td>").append(esc(r.theory().describe())).append("</td><td class=\"").append(cls)
                    .append("\">").append(esc(v)).append("</td></tr>\n");
        }
        h.append("</table>\n");
        h.append("<h2>Figures</h2>\n");
        inlineFigures(h, dir);
        h.append("<h2>Outcomes and fits at the iteration cap</h2>\n<table id=\"outcomes\"><tr><th>study</th><th>n</th>"
                + "<th>fits</th><th>failed</th><th>at the cap</th><th>not certified</th><th>switched off</th>"
                + "<th>split</th><th>D_1 &gt; ").append(num(summary.options().d1Threshold())).append("</th></tr>\n");
        int capped = 0;
        int notCertified = 0;
        int certificates = 0;
        for (Summary.Outcome o : summary.outcomes()) {
            capped += o.capped();
            notCertified += o.notCertified();
            certificates += o.certificates();
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td>"
                            + "<td>%d</td><td>%d</td><td>%d/%d</td></tr>%n", esc(o.study().name()), o.n(), o.tasks(),
                    o.failed(), o.capped(), o.certificates() == 0 ? "—" : o.notCertified() + "/" + o.certificates(),
                    o.switchedOff(), o.split(), o.d1Above(), o.d1Fits()));
        }
        h.append("</table>\n<p id=\"cap-hits\">Fits stopped at the iteration cap: ").append(capped)
                .append(" (they stay in the means).");
        if (certificates > 0) {
            h.append(" Converged fits not certified by their Gauss–Newton model (it still promises more than 1e-9"
                    + " relative decrease: likely stopped early on a crawl; they stay in the means too): ")
                    .append(notCertified).append(" of ").append(certificates).append('.');
        }
        h.append("</p>\n");
        if (!summary.outcomeCurves().isEmpty()) {
            h.append("<h2>Mean D_1 by outcome class</h2>\n<table id=\"outcome-curves\"><tr><th>study</th><th>n</th>"
                    + "<th>class</th><th>fits</th><th>fraction [Wilson]</th><th>mean D_1 [bootstrap]</th></tr>\n");
            for (Summary.OutcomeCurvePoint p : summary.outcomeCurves()) {
                h.append("<tr><td>").append(esc(p.study().name())).append("</td><td>").append(p.n()).append("</td><td>")
                        .append(p.outcome()).append("</td><td>").append(p.fits()).append('/').append(p.classified())
                        .append("</td><td>").append(String.format(Locale.ROOT, "%.2f [%.2f, %.2f]",
                                p.fraction().estimate(), p.fraction().low(), p.fraction().high())).append("</td><td>")
                        .append(Double.isFinite(p.mean()) ? String.format(Locale.ROOT, "%.4g %s", p.mean(),
                                ci4(p.bootLow(), p.bootHigh())) : "—").append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<h2>Scenario and solver settings</h2>\n<table id=\"settings\">\n");
        row(h, "scenario file", s.source().map(Path::toString).orElse("(built in code)"));
        row(h, "fingerprint", s.fingerprint());
        row(h, "master seed", Long.toString(s.seed()));
        row(h, "sample sizes", s.sizes().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        row(h, "replicates", Integer.toString(s.replicates()));
        row(h, "estimator", s.estimator());
        row(h, "solver", s.solverText());
        row(h, "initialization", s.init().toString());
        row(h, "sampler", s.sampler());
        row(h, "losses", String.join(", ", s.losses()) + " (r = " + num(s.r()) + ")");
        row(h, "equivalence margin", num(summary.options().margin()));
        row(h, "analysis plan", s.planFile().map(p -> p.getFileName() + ", SHA-256 " + s.planSha256())
                .orElse("none (not pre-registered)"));
        for (Scenario.Study st : s.studies()) {
            row(h, "study " + st.name(), st.fitted().model().parameterization().name() + ", L* = "
                    + st.truth().trueAtoms() + ", L = " + st.atoms() + ", sigma " + st.truth().sigma());
        }
        h.append("</table>\n<h2>Versions</h2>\n<table id=\"versions\">\n");
        row(h, "prefixmoe", versions.toolkit());
        row(h, "Java", versions.java());
        row(h, "kernels of the runs (runs.log)", versions.kernels().isEmpty() ? "(no runs.log)" : versions.kernels());
        h.append("</table>\n");
        for (String n : summary.notes()) {
            h.append("<p><b>Note:</b> ").append(esc(n)).append("</p>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    /**
     * The page of a study folder of the mixture-of-experts family (docs/theory.md §8): its summary
     * (the {@code summary.md} that {@code simulate} writes from the rows) rendered as HTML, its
     * figures inline, the scenario file's text, the versions and the command that regenerates it.
     *
     * @param name the study's name
     * @param fingerprint the scenario's fingerprint
     * @param summaryMarkdown the folder's summary, in Markdown
     * @param scenarioFile the scenario file
     * @param scenarioText its text
     * @param dir the folder (its PNG figures are inlined)
     * @param command the command that regenerates the folder
     * @param versions the versions to record
     * @return the HTML text
     */
    public static String familyHtml(String name, String fingerprint, String summaryMarkdown, Path scenarioFile,
            String scenarioText, Path dir, String command, Versions versions) {
        StringBuilder h = new StringBuilder();
        head(h, name);
        h.append("<h1 id=\"title\">").append(esc(name)).append("</h1>\n");
        h.append("<p>Regenerate the folder (rows, summaries, figures and this page) with <code id=\"command\">")
                .append(esc(command)).append("</code>; redraw this page alone from the folder's summary with"
                        + " <code>bin/prefixmoe report ").append(esc(dir.toString())).append(" --scenario ")
                .append(esc(scenarioFile.toString())).append("</code>.</p>\n");
        List<org.commonmark.Extension> ext = List.of(org.commonmark.ext.gfm.tables.TablesExtension.create());
        org.commonmark.node.Node doc = org.commonmark.parser.Parser.builder().extensions(ext).build()
                .parse(summaryMarkdown);
        // The summary's own title repeats the page's: one level down keeps a single h1.
        h.append("<div id=\"summary\">").append(org.commonmark.renderer.html.HtmlRenderer.builder().extensions(ext)
                .escapeHtml(true).build().render(doc).replace("<h1>", "<h2>").replace("</h1>", "</h2>"))
                .append("</div>\n");
        h.append("<h2>Figures</h2>\n");
        inlineFigures(h, dir);
        h.append("<h2>Scenario</h2>\n<table id=\"settings\">\n");
        row(h, "scenario file", scenarioFile.toString());
        row(h, "fingerprint", fingerprint);
        h.append("</table>\n<pre id=\"scenario\">").append(esc(scenarioText)).append("</pre>\n");
        h.append("<h2>Versions</h2>\n<table id=\"versions\">\n");
        row(h, "prefixmoe", versions.toolkit());
        row(h, "Java", versions.java());
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    private static void head(StringBuilder h, String name) {
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(name))
                .append(" — study report</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
                        + "line-height:1.4}table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px "
                        + "solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eee}"
                        + "img{max-width:100%;border:1px solid #ddd}.v-agrees{color:#060}.v-knife{color:#a60}"
                        + ".v-other{color:#a00}code{background:#f4f4f4}</style></head><body>\n");
    }

    private static void inlineFigures(StringBuilder h, Path dir) {
        for (Path png : figures(dir)) {
            try {
                String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
                String name = png.getFileName().toString();
                h.append("<figure><img alt=\"").append(esc(name)).append("\" src=\"data:image/png;base64,")
                        .append(b64).append("\"><figcaption>").append(esc(name)).append("</figcaption></figure>\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + png + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The kernels named by a folder's runs.log, distinct, in order.
     *
     * @param dir the study folder
     * @return the kernels, comma-separated (empty without a runs.log)
     */
    public static String kernels(Path dir) {
        Path log = dir.resolve("runs.log");
        if (!Files.isRegularFile(log)) {
            return "";
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.map(l -> l.lastIndexOf("  kernel ") >= 0 ? l.substring(l.lastIndexOf("  kernel ") + 9).strip()
                    : null).filter(x -> x != null).distinct().collect(Collectors.joining(", "));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static String verdictRule(Summary s) {
        return "Equivalence with margin " + num(s.options().margin()) + " (docs/theory.md §6): agrees when the plain"
                + " slope's 95% bootstrap interval lies inside theory ± margin; agrees up to a log factor when only"
                + " the slope on log(n / log n) does (the theory's rates are Õ, up to log factors); steeper/flatter"
                + " when both lie beyond the margin on one side; otherwise cannot tell. A knife edge is a verdict"
                + " that one of " + RateEvidence.SEEDS + " further bootstrap seeds changes. Lack of fit: χ² of the"
                + " log means about the plain line over their replicate errors. Slopes in parentheses are"
                + " descriptive (no rate predicted).";
    }

    private static List<Path> figures(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    private static String slope(Slope s) {
        return num(s.value()) + " " + ci(s.low(), s.high());
    }

    private static String ci(double lo, double hi) {
        return Double.isFinite(lo) && Double.isFinite(hi) ? String.format(Locale.ROOT, "[%.3f, %.3f]", lo, hi) : "—";
    }

    private static String ci4(double lo, double hi) {
        return Double.isFinite(lo) && Double.isFinite(hi) ? String.format(Locale.ROOT, "[%.4g, %.4g]", lo, hi) : "";
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v).replaceAll("(\\.\\d*?)0+$", "$1")
                .replaceAll("\\.$", "") : "—";
    }

    /** Escapes text for HTML. */
    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
