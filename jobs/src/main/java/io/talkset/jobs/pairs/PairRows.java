package io.talkset.jobs.pairs;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.pairs.Dtw;
import io.talkset.core.pairs.FrameSequence;
import io.talkset.jobs.io.Json;
import io.talkset.schemas.PairsSchemas;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The executor side of the pairs stage: a planned pair with both clips' frame sequences in
 * ({@link PairsJob#KEY_COLUMNS} columns, then each clip's sorted (frame_index, features) list),
 * a {@code pairs} row out. One {@link Dtw} per task (it reuses its buffers). A pair that cannot be
 * aligned gets a failed row; it never fails the task.
 */
final class PairRows implements Iterator<Row> {
  private static final StructType OUT = PairsSchemas.PAIRS.struct();

  private final Iterator<Row> in;
  private final PairsConfig cfg;
  private final Dtw dtw;
  private final String settings;

  PairRows(Iterator<Row> in, PairsConfig cfg) {
    this.in = in;
    this.cfg = cfg;
    this.dtw = new Dtw(cfg.dtw());
    this.settings = Json.write(cfg.describe());
  }

  @Override
  public boolean hasNext() {
    return in.hasNext();
  }

  @Override
  public Row next() {
    Row p = in.next();
    int k = PairsJob.KEY_COLUMNS;
    Object[] v = head(p, cfg, settings);
    long start = System.nanoTime();
    try {
      float[][] ref = sequence(p.getString(6), p, k);
      float[][] other = sequence(p.getString(9), p, k + 1);
      set(v, "reference_frames", ref.length);
      set(v, "other_frames", other.length);
      Dtw.Result r = dtw.align(ref, other);
      set(v, "status", "ok");
      set(v, "path_reference", r.reference());
      set(v, "path_other", r.other());
      set(v, "cost", r.cost());
      set(v, "normalized_cost", r.normalizedCost());
      set(v, "band_radius", r.bandRadius());
      set(v, "band_fell_back", r.fellBack());
      set(v, "reference_map", r.referenceMap());
      set(v, "cells", r.cells());
    } catch (MissingAudio e) {
      failed(v, ErrorCodes.NO_AUDIO, e.getMessage());
    } catch (RuntimeException | OutOfMemoryError e) {
      failed(v, ErrorCodes.INTERNAL, String.valueOf(e));
    }
    set(v, "elapsed_ms", (System.nanoTime() - start) / 1_000_000);
    return RowFactory.create(v);
  }

  /** A row with the pair's planned columns and settings, status left to the caller. */
  static Object[] head(Row planned, PairsConfig cfg, String settings) {
    Object[] v = new Object[OUT.size()];
    for (int i = 0; i < PairsJob.KEY_COLUMNS; i++) {
      v[i] = planned.get(i);
    }
    set(v, "features", cfg.features());
    set(v, "metric", cfg.metric().name().toLowerCase(Locale.ROOT));
    set(v, "normalization", cfg.normalization().name().toLowerCase(Locale.ROOT));
    set(v, "dtw_settings", settings);
    set(v, "processed_at", new Timestamp(System.currentTimeMillis()));
    return v;
  }

  static void failed(Object[] v, String code, String message) {
    set(v, "status", "failed");
    set(v, "error_code", code);
    set(v, "error_message", message);
  }

  private static final class MissingAudio extends RuntimeException {
    MissingAudio(String message) {
      super(message, null, false, false);
    }
  }

  /** A clip's features from its collected (frame_index, vector) structs. */
  private static float[][] sequence(String clipId, Row p, int column) {
    if (p.isNullAt(column)) {
      throw new MissingAudio("clip " + clipId + " is ok in audio_clips but has no rows in the"
          + " audio table");
    }
    List<Row> frames = p.getList(column);
    int[] index = new int[frames.size()];
    float[][] f = new float[frames.size()][];
    for (int i = 0; i < index.length; i++) {
      Row r = frames.get(i);
      index[i] = r.getInt(0);
      List<Object> values = r.getList(1);
      float[] x = new float[values.size()];
      for (int j = 0; j < x.length; j++) {
        x[j] = ((Number) values.get(j)).floatValue();
      }
      f[i] = x;
    }
    return FrameSequence.of(clipId, index, f);
  }

  static void set(Object[] v, String column, Object value) {
    v[OUT.fieldIndex(column)] = value;
  }
}
