package io.talkset.jobs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;

/**
 * The evaluation summary ({@code eval_summary}) as a table of text cells: the evaluation page
 * and the dataset report's Evaluation section show it the same way. It lives with the report so
 * that the evaluate job depends on the report, never the other way round.
 */
public final class EvaluationSummary {
  /** The summary table's columns, as {@link #cells} fills them. */
  public static final List<String> HEADER = List.of("metric", "scope", "count", "mean", "std",
      "p5", "p25", "p50", "p75", "p95");

  private EvaluationSummary() {}

  /** One {@code eval_summary} row's cells as shown. */
  public static List<String> cells(Row r) {
    List<String> cells = new ArrayList<>(List.of(r.getString(0), r.getString(1),
        Long.toString(r.getLong(2))));
    for (int i = 3; i < 10; i++) {
      cells.add(r.isNullAt(i) ? null : fmt(r.getDouble(i)));
    }
    return cells;
  }

  /** A metric value with four significant digits; infinities as {@code inf}/{@code -inf}. */
  public static String fmt(double v) {
    return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf")
        : String.format(Locale.ROOT, "%.4g", v);
  }
}
