package io.talkset.schemas;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A versioned table schema. The version travels with the data: every column carries its
 * description as Spark's {@code comment} metadata, and the first column also carries
 * {@link #TABLE_KEY} and {@link #VERSION_KEY}, so the schema JSON that Spark stores in every
 * Parquet footer ({@code org.apache.spark.sql.parquet.row.metadata}) names table and version for
 * any reader; a {@code _talkset.json} file beside the table says the same in plain JSON.
 */
public final class TableSchema {
  public static final String TABLE_KEY = "talkset.table";
  public static final String VERSION_KEY = "talkset.schema_version";

  private final String table;
  private final int version;
  private final StructType struct;

  TableSchema(String table, int version, StructType struct) {
    this.table = table;
    this.version = version;
    this.struct = struct;
  }

  public String table() {
    return table;
  }

  public int version() {
    return version;
  }

  /** The Spark schema, with descriptions and the version in its metadata. */
  public StructType struct() {
    return struct;
  }

  /** Name of the golden JSON resource, e.g. {@code talkset/schemas/clips.v1.json}. */
  public String goldenResource() {
    return "talkset/schemas/" + table + ".v" + version + ".json";
  }

  /** Builds a schema column by column, with a description for each. */
  static final class Builder {
    private final String table;
    private final int version;
    private StructType struct = new StructType();

    Builder(String table, int version) {
      this.table = table;
      this.version = version;
    }

    Builder col(String name, DataType type, boolean nullable, String comment) {
      MetadataBuilder md = new MetadataBuilder().putString("comment", comment);
      if (struct.fields().length == 0) {
        md.putString(TABLE_KEY, table).putLong(VERSION_KEY, version);
      }
      struct = struct.add(new StructField(name, type, nullable, md.build()));
      return this;
    }

    TableSchema build() {
      return new TableSchema(table, version, struct);
    }
  }

  static Metadata none() {
    return Metadata.empty();
  }
}
