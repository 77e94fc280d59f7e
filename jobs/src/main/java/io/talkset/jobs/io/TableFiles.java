package io.talkset.jobs.io;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * What a Parquet table's files say about it without a Spark job: whether any row is stored.
 * Stages and the report ask this before querying a table, so a dataset root whose tables are
 * empty (nothing crawled yet, nothing to do) costs no query per table; the row counts come from
 * the files' footers, read on the driver until the first file that has a row.
 */
public final class TableFiles {
  private TableFiles() {}

  /**
   * Whether the table at {@code table} stores at least one row in its data files (every file
   * or folder whose name starts with neither {@code .} nor {@code _}, as Spark reads them, in
   * {@code batch=ID} folders too). False for a table that does not exist. A file whose footer
   * cannot be read counts as having rows, so the caller's query decides (and reports) it.
   */
  public static boolean hasRows(Configuration conf, Path table) {
    try {
      FileSystem fs = table.getFileSystem(conf);
      return fs.exists(table) && hasRows(fs, conf, table);
    } catch (IOException e) {
      return true;
    }
  }

  private static boolean hasRows(FileSystem fs, Configuration conf, Path dir) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      String n = s.getPath().getName();
      if (n.startsWith(".") || n.startsWith("_")) {
        continue;
      }
      if (s.isDirectory() ? hasRows(fs, conf, s.getPath()) : rows(s, conf) > 0) {
        return true;
      }
    }
    return false;
  }

  private static long rows(FileStatus file, Configuration conf) {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromStatus(file, conf))) {
      return r.getRecordCount();
    } catch (IOException | RuntimeException e) {
      return 1;
    }
  }
}
