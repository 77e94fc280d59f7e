package io.talkset.jobs.runtime;

import java.io.InputStream;
import java.util.Properties;

/** The talkset version and git commit this jar was built from (recorded with every table). */
public final class Version {
  private static final String VALUE = load();

  private Version() {}

  public static String get() {
    return VALUE;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/talkset-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "dev");
      String commit = p.getProperty("commit", "");
      return commit.isBlank() || commit.startsWith("$") ? v : v + "+" + commit;
    } catch (java.io.IOException e) {
      return "dev";
    }
  }
}
