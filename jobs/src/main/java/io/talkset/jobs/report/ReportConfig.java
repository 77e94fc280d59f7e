package io.talkset.jobs.report;

import io.talkset.jobs.cli.Options;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the report stage.
 *
 * @param output dataset root: reads whatever tables exist under it; writes OUTPUT/report
 * @param samples crops per dataset on the contact sheet
 * @param paths DTW warping paths drawn per dataset
 * @param bins about how many bins a histogram gets (edges are rounded to nice numbers)
 */
public record ReportConfig(String output, int samples, int paths, int bins)
    implements Serializable {

  public static Options options() {
    return new Options()
        .value("output", "URI", null,
            "dataset root (reads the tables that exist under it; writes report/)")
        .value("report-samples", "N", "12", "face crops per dataset on the contact sheet")
        .value("report-paths", "N", "4", "DTW warping paths drawn per dataset")
        .value("report-bins", "N", "30", "about how many bins per histogram");
  }

  public static ReportConfig from(Options.Parsed a) {
    return new ReportConfig(a.require("output"), a.intIn("report-samples", 0, 200),
        a.intIn("report-paths", 0, 8), a.intIn("report-bins", 2, 200));
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("samples", samples);
    d.put("paths", paths);
    d.put("bins", bins);
    return d;
  }
}
