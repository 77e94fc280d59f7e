package io.talkset.jobs.io;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** A Hadoop configuration shipped to executors as plain key/value pairs (S3A keys included). */
public final class HadoopConf implements Serializable {
  private static final long serialVersionUID = 1L;
  private final HashMap<String, String> entries = new HashMap<>();
  private transient Configuration conf;

  public HadoopConf(Configuration source) {
    for (Map.Entry<String, String> e : source) {
      entries.put(e.getKey(), e.getValue());
    }
  }

  public synchronized Configuration get() {
    if (conf == null) {
      conf = new Configuration(false);
      entries.forEach(conf::set);
    }
    return conf;
  }
}
