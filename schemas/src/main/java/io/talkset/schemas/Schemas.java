package io.talkset.schemas;

import java.util.List;

/** Every table talkset writes, in pipeline order. */
public final class Schemas {
  private Schemas() {}

  public static List<TableSchema> all() {
    return List.of(ClipsSchema.SCHEMA, AudioSchemas.FRAMES, AudioSchemas.CLIPS,
        FramesSchemas.FRAMES, FramesSchemas.CLIPS, ParamsSchemas.PARAMS, ParamsSchemas.CLIPS,
        SyncSchemas.SEGMENTS, SyncSchemas.CLIPS, PairsSchemas.PAIRS, ShardsSchemas.FRAMES,
        ShardsSchemas.CLIPS, ShardsSchemas.PAIR_FRAMES, CurationSchemas.CURATION,
        CurationSchemas.WINDOWS, EvalSchemas.FRAMES, EvalSchemas.CLIPS,
        EvalSchemas.SUMMARY, MorphableSchemas.FRAMES);
  }
}
