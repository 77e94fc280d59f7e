package io.talkset.udf;

import io.talkset.core.datasets.ClipMetadata;
import io.talkset.core.datasets.DatasetLayouts;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code talkset_layout(path STRING) -> STRUCT<dataset, speaker, gender, emotion, intensity,
 * sentence_key, view, take, extra MAP<STRING,STRING>>}: the dataset metadata the crawl reads from
 * a path, for paths that did not come through the crawl. Null in, null out; every path yields a
 * struct (unknown layouts give {@code dataset = 'generic'}).
 */
public final class LayoutUdf implements UDF1<String, Row> {
  private static final long serialVersionUID = 1L;

  public static final String NAME = "talkset_layout";

  public static final StructType RETURN_TYPE = new StructType()
      .add("dataset", DataTypes.StringType, false)
      .add("speaker", DataTypes.StringType)
      .add("gender", DataTypes.StringType)
      .add("emotion", DataTypes.StringType)
      .add("intensity", DataTypes.StringType)
      .add("sentence_key", DataTypes.StringType)
      .add("view", DataTypes.StringType)
      .add("take", DataTypes.StringType)
      .add("extra", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false));

  @Override
  public Row call(String path) {
    if (path == null) {
      return null;
    }
    ClipMetadata m = DatasetLayouts.parse(path);
    return RowFactory.create(m.dataset(), m.speaker(), m.gender(), m.emotion(), m.intensity(),
        m.sentenceKey(), m.view(), m.take(),
        scala.jdk.javaapi.CollectionConverters.asScala(m.extra()));
  }
}
