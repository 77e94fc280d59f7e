package io.talkset.jobs.report;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import io.talkset.core.report.Histogram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Histograms of numeric columns computed by Spark, per group, as {@link Histogram}s for the
 * report charts (the report stage; per-frame metric summaries of the evaluation stage). Only
 * bin counts reach the driver: two jobs whatever the number of columns and groups.
 */
public final class SparkHistograms {
  private SparkHistograms() {}

  /**
   * One histogram per column and value of {@code group}; a column's groups share its bins (so
   * they compare): every column's range from one aggregation, then the counts per (column,
   * group, bin) from a second, with {@link Histogram#bin}'s rule. Null, NaN and infinite values
   * are left out; a column with no value has no entry.
   *
   * @param group a string column (e.g. dataset); null groups are left out
   * @param bins about how many bins (edges are rounded to nice numbers)
   * @return column → group → histogram, columns in the order given, groups sorted
   */
  public static Map<String, Map<String, Histogram>> of(Dataset<Row> rows, String group,
      List<String> columns, int bins) {
    return of(List.of(new Source(rows, columns)), group, bins);
  }

  /**
   * Columns of one table, for {@link #of(List, String, int)}.
   *
   * @param rows the table, with the group column
   * @param columns its numeric columns to draw
   */
  public record Source(Dataset<Row> rows, List<String> columns) {}

  /**
   * {@link #of(Dataset, String, List, int)} over the columns of several tables at once: still
   * two jobs' worth of queries in all, not two per table (a report draws face sizes, poses and
   * morphable coefficients from three tables; each query's planning and code generation cost
   * more than its work on 15,000 frames). Column names must differ across the sources.
   *
   * @return column → group → histogram, columns in the order given, groups sorted
   */
  public static Map<String, Map<String, Histogram>> of(List<Source> sources, String group,
      int bins) {
    List<String> columns = new ArrayList<>();
    Dataset<Row> ranges = null;
    for (Source src : sources) {
      List<Column> r = new ArrayList<>();
      for (String c : src.columns()) {
        r.add(min(finite(col(c))));
        r.add(max(finite(col(c))));
        columns.add(c);
      }
      Dataset<Row> one = src.rows().agg(r.get(0), r.subList(1, r.size()).toArray(new Column[0]));
      // Global aggregates: one row each, side by side.
      ranges = ranges == null ? one : ranges.crossJoin(one);
    }
    Map<String, Map<String, Histogram>> out = new LinkedHashMap<>();
    if (ranges == null) {
      return out;
    }
    Row range = ranges.first();
    Map<String, Histogram> empty = new LinkedHashMap<>();
    Dataset<Row> binned = null;
    int i = 0;
    for (Source src : sources) {
      for (String c : src.columns()) {
        int k = i++;
        if (range.isNullAt(2 * k)) {
          continue;
        }
        Histogram h = Histogram.covering(range.getDouble(2 * k), range.getDouble(2 * k + 1),
            bins);
        empty.put(c, h);
        Column v = finite(col(c));
        Column bin = least(greatest(floor(v.minus(lit(h.lo())).divide(lit(h.width())))
            .cast("int"), lit(0)), lit(h.bins() - 1));
        Dataset<Row> one = src.rows().filter(v.isNotNull().and(col(group).isNotNull()))
            .select(lit(c).as("column"), col(group).as("group"), bin.as("bin"));
        binned = binned == null ? one : binned.unionAll(one);
      }
    }
    if (binned == null) {
      return out;
    }
    Map<String, Map<String, long[]>> counts = new LinkedHashMap<>();
    for (Row r : binned.groupBy("column", "group", "bin").count().collectAsList()) {
      Histogram h = empty.get(r.getString(0));
      counts.computeIfAbsent(r.getString(0), k -> new TreeMap<>())
          .computeIfAbsent(r.getString(1), k -> new long[h.bins()])[r.getInt(2)] = r.getLong(3);
    }
    for (String c : columns) {
      if (counts.containsKey(c)) {
        Histogram h = empty.get(c);
        Map<String, Histogram> byGroup = new TreeMap<>();
        counts.get(c).forEach((g, n) -> byGroup.put(g, new Histogram(h.lo(), h.width(), n)));
        out.put(c, byGroup);
      }
    }
    return out;
  }

  /** The value as a double, null when null, NaN or infinite (abs() < ∞ is false for those). */
  static Column finite(Column c) {
    Column d = c.cast("double");
    return when(abs(d).lt(lit(Double.POSITIVE_INFINITY)), d);
  }
}
