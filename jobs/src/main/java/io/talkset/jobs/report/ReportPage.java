package io.talkset.jobs.report;

import io.talkset.core.report.Chart;
import io.talkset.core.report.ContactSheet;
import io.talkset.core.report.Histogram;
import io.talkset.core.report.Png;
import io.talkset.core.report.Report;
import io.talkset.jobs.runtime.Version;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Lays out the report page from the aggregates {@link ReportJob} brought to the driver. */
final class ReportPage {
  static final List<String> STAGES = List.of("clips", "audio", "frames", "params", "pairs");
  static final List<String> OVERVIEW = List.of("dataset", "clips", "ok clips", "hours (ok)",
      "speakers", "audio ok", "frames ok", "face frames", "params ok", "params frames",
      "pairs ok");
  private static final Map<String, String> WHO_WRITES = Map.of("clips", "crawl",
      "audio_clips", "audio", "frames", "frames", "frames_clips", "frames", "face_params",
      "params", "face_params_clips", "params", "pairs", "pairs");

  private ReportPage() {}

  /** Hours shown for a duration: three decimals (3.6 s steps). */
  static String hours(double seconds) {
    return String.format(Locale.ROOT, "%.3f", seconds / 3600);
  }

  static Report render(ReportConfig cfg, String when, List<List<String>> tables,
      List<String> missing, Collection<ReportJob.Stats> datasets,
      List<List<String>> evaluation, boolean curated) {
    Report r = Report.page("talkset dataset report");
    r.section("Run");
    r.table(null, List.of("item", "value"), List.of(
        List.of("output root", cfg.output()),
        List.of("generated at (UTC)", when),
        List.of("talkset version", Version.get()),
        List.of("datasets", Integer.toString(datasets.size()))));
    r.table("Tables", List.of("table", "state", "rows"), tables);
    for (String t : missing) {
      r.note("Table " + t + " is missing or empty under the output root: its part of the report"
          + " is left out (the " + WHO_WRITES.getOrDefault(t, "?") + " stage writes it).");
    }

    r.section("Overview");
    if (datasets.isEmpty()) {
      r.note("No clips and no pairs found: nothing to report per dataset.");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (ReportJob.Stats s : datasets) {
        rows.add(List.of(s.name, n(s.clips), n(s.okClips), hours(s.seconds), n(s.speakers),
            n(s.ok("audio")), n(s.ok("frames")), n(s.faceFrames), n(s.ok("params")),
            n(s.paramFrames), n(s.ok("pairs"))));
      }
      r.table("Per dataset (ok: processed without error by that stage)", OVERVIEW, rows);
    }

    int i = 0;
    for (ReportJob.Stats s : datasets) {
      i++;
      String p = "d" + i + "-";
      r.section("Dataset: " + s.name);
      r.paragraph(String.format(Locale.ROOT, "%d clips, %d ok: %s h (%.1f s) of video from %d"
          + " speaker(s).", s.clips, s.okClips, hours(s.seconds), s.seconds, s.speakers));

      r.subsection("Emotion × intensity (ok clips)");
      emotions(r, s);

      r.subsection("Status and errors per stage");
      if (s.statusRows.isEmpty()) {
        r.note("No stage has a status for this dataset's clips.");
      } else {
        r.table(null, List.of("stage", "status", "error_code", "count"), s.statusRows);
        List<String> labels = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        for (String stage : STAGES) {
          s.byStatus.getOrDefault(stage, Map.of()).forEach((status, c) -> {
            labels.add(stage + " " + status);
            values.add(c);
          });
        }
        r.image(p + "status.png", Chart.bars("Clips (pairs) by stage and status: " + s.name,
            "clips", labels, values.stream().mapToLong(Long::longValue).toArray()).png(),
            "bar chart of clips by stage and status");
      }

      r.subsection("Face size");
      histogram(r, s, "face_px", p + "face-px.png", "Face size (longer side of the face box)",
          "source pixels", missing.contains("frames"), "frames");

      r.subsection("Head pose");
      boolean noParams = missing.contains("face_params");
      for (String angle : ReportJob.POSE) {
        String word = angle.substring(0, angle.indexOf('_'));
        histogram(r, s, angle, p + word + ".png", "Head " + word, "degrees", noParams,
            "face_params");
        if (noParams || !s.histograms.containsKey(angle)) {
          break;
        }
      }

      r.subsection("3D face: the learned morphable model");
      boolean noMorph = missing.contains("face_morphable");
      histogram(r, s, ReportJob.MORPH[0], p + "morph-exp1.png",
          "First expression coefficient (face_morphable.exp_coeffs[0])", "model units", noMorph,
          "face_morphable");
      if (s.histograms.containsKey(ReportJob.MORPH[0])) {
        histogram(r, s, ReportJob.MORPH[1], p + "morph-fit.png",
            "Model fit residual per point (face_morphable.fit_rms_px)", "source pixels", noMorph,
            "face_morphable");
      }

      r.subsection("Curation: kept vs removed by rule");
      curation(r, s, p, curated);

      r.subsection("Sample crops with landmarks");
      if (s.tiles.isEmpty()) {
        r.note(missing.contains("frames") ? "No frames table." : cfg.samples() == 0
            ? "Samples turned off (--report-samples 0)." : "No face crops for this dataset.");
      } else {
        boolean anyLandmarks = s.tiles.stream().anyMatch(t -> t.landmarks() != null);
        r.paragraph(s.tiles.size() + " crops (frames.jpeg)" + (anyLandmarks
            ? ", the 68 landmarks (face_params.landmarks_crop) drawn in green." : "; no"
            + " landmarks: face_params has none for these frames."));
        r.image(p + "crops.png", Png.encode(ContactSheet.render(s.tiles, 6, 128)),
            "contact sheet of sample face crops with landmarks");
      }

      r.subsection("DTW pairs");
      histogram(r, s, "normalized_cost", p + "dtw-cost.png",
          "DTW normalized cost of ok pairs", "mean frame distance on the path",
          missing.contains("pairs"), "pairs");
      if (!s.paths.isEmpty()) {
        r.image(p + "dtw-paths.png", Chart.lines("DTW warping paths: " + s.name,
            "reference frame", "other frame", s.paths, true).png(),
            "DTW warping paths, reference frame against other frame, with the diagonals");
      }
    }
    if (evaluation != null) {
      evaluation(r, evaluation);
    }
    return r;
  }

  /** The face frames the shards stage kept and those each curation rule removed. */
  private static void curation(Report r, ReportJob.Stats s, String prefix, boolean curated) {
    if (s.curation.isEmpty()) {
      r.note(curated ? "No face frames of this dataset reached the curation rules."
          : "No curation table (" + ReportJob.CURATION + ", written by the shards stage).");
      return;
    }
    long in = s.curation.values().stream().mapToLong(Long::longValue).sum();
    List<List<String>> rows = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    long[] values = new long[s.curation.size()];
    int i = 0;
    for (Map.Entry<String, Long> e : s.curation.entrySet()) {
      rows.add(List.of(e.getKey(), n(e.getValue()), String.format(Locale.ROOT, "%.1f %%",
          100.0 * e.getValue() / in)));
      labels.add(e.getKey());
      values[i++] = e.getValue();
    }
    r.paragraph(String.format(Locale.ROOT, "%d of %d face frames kept; each removed frame is"
        + " counted under the first rule it breaks (dataset/curation has the reasons).",
        s.curation.get("kept"), in));
    r.table(null, List.of("outcome", "face frames", "share"), rows);
    r.image(prefix + "curation.png", Chart.bars("Face frames kept vs removed by rule: " + s.name,
        "frames", labels, values).png(), "bar chart of face frames kept and removed per"
        + " curation rule");
  }

  private static void emotions(Report r, ReportJob.Stats s) {
    if (s.emotions.isEmpty()) {
      r.note("No ok clips.");
      return;
    }
    TreeSet<String> levels = new TreeSet<>();
    s.emotions.values().forEach(m -> levels.addAll(m.keySet()));
    List<String> header = new ArrayList<>(List.of("emotion"));
    for (String l : levels) {
      header.add("intensity " + l);
    }
    header.add("total");
    List<List<String>> rows = new ArrayList<>();
    s.emotions.forEach((emotion, byLevel) -> {
      List<String> row = new ArrayList<>(List.of(emotion));
      long total = 0;
      for (String l : levels) {
        Long c = byLevel.get(l);
        row.add(c == null ? "" : n(c));
        total += c == null ? 0 : c;
      }
      row.add(n(total));
      rows.add(row);
    });
    r.table(null, header, rows);
  }

  private static void histogram(Report r, ReportJob.Stats s, String column, String file,
      String title, String unit, boolean tableMissing, String table) {
    Histogram h = s.histograms.get(column);
    if (h == null) {
      r.note(tableMissing ? "No " + table + " table." : "No " + column + " values for this"
          + " dataset.");
      return;
    }
    r.image(file, Chart.histogram(title + ": " + s.name, unit, h).png(),
        "histogram of " + column);
  }

  /** The evaluate job's summary table and a link to its own page. */
  private static void evaluation(Report r, List<List<String>> summary) {
    r.section("Evaluation");
    r.paragraph("Generated videos scored against this dataset by the evaluate job (frame: over"
        + " compared frames; clip: over ok videos' means; set: one figure for all).");
    r.table(null, EvaluationSummary.HEADER, summary);
    r.link("../" + ReportJob.EVALUATION + "/index.html",
        "Evaluation page: histograms, every video, unmatched and failed files");
  }

  private static String n(long v) {
    return Long.toString(v);
  }
}
