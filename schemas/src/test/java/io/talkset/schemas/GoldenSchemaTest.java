package io.talkset.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * A schema may only change together with its version: each declared schema must equal its golden
 * JSON copy. To add a version, run with {@code -Dtalkset.writeGolden=true} and commit the new file.
 */
class GoldenSchemaTest {

  @Test
  void everySchemaMatchesItsGoldenCopy() throws IOException {
    if (Boolean.getBoolean("talkset.writeGolden")) {
      for (TableSchema schema : Schemas.all()) {
        Path out = Path.of("src/main/resources", schema.goldenResource());
        Files.createDirectories(out.getParent());
        Files.writeString(out, schema.struct().prettyJson() + "\n");
      }
    }
    for (TableSchema schema : Schemas.all()) {
      String actual = schema.struct().prettyJson() + "\n";
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(
          schema.goldenResource())) {
        assertNotNull(in, "no golden copy " + schema.goldenResource());
        String golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(golden, actual, schema.table() + " v" + schema.version()
            + " drifted from its golden copy: bump the version for a real change");
        // The golden JSON is a complete description: Spark reads it back to the same schema.
        assertEquals(schema.struct(), DataType.fromJson(golden));
      }
    }
  }

  @Test
  void firstColumnNamesTableAndVersionAndEveryColumnIsDescribed() {
    for (TableSchema schema : Schemas.all()) {
      StructType st = schema.struct();
      StructField first = st.fields()[0];
      assertEquals(schema.table(), first.metadata().getString(TableSchema.TABLE_KEY));
      assertEquals(schema.version(), first.metadata().getLong(TableSchema.VERSION_KEY));
      for (StructField f : st.fields()) {
        assertTrue(f.metadata().contains("comment") && !f.getComment().get().isBlank(),
            f.name() + " has no description");
      }
    }
  }

  @Test
  void clipsKeysAreNotNullable() {
    StructType st = ClipsSchema.SCHEMA.struct();
    for (String key : new String[] {"clip_id", "path", "status", "files", "probed_at"}) {
      assertTrue(!st.apply(key).nullable(), key + " must never be null");
    }
  }
}
