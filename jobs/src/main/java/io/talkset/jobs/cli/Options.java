package io.talkset.jobs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Declared command-line options of a job and their parser. Errors are one line that names the
 * argument and what was expected ({@link UsageException}).
 */
public final class Options {

  /** One option: {@code --name VALUE} (or a flag when {@code valueName} is null). */
  public record Spec(String name, String valueName, boolean repeatable, String defaultValue,
      String help) {}

  private final Map<String, Spec> specs = new LinkedHashMap<>();

  public Options value(String name, String valueName, String defaultValue, String help) {
    specs.put(name, new Spec(name, valueName, false, defaultValue, help));
    return this;
  }

  public Options repeated(String name, String valueName, String help) {
    specs.put(name, new Spec(name, valueName, true, null, help));
    return this;
  }

  public Options flag(String name, String help) {
    specs.put(name, new Spec(name, null, false, null, help));
    return this;
  }

  /** Copies every option of {@code other} (for {@code run}, which takes every stage's options). */
  public Options addAll(Options other) {
    other.specs.forEach(specs::putIfAbsent);
    return this;
  }

  /** Parses {@code args}; {@code --help} is handled by the caller before this. */
  public Parsed parse(String[] args) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
      }
      String name = arg.substring(2);
      String inline = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inline = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Spec spec = specs.get(name);
      if (spec == null) {
        throw new UsageException("unknown option --" + name + " (see --help)");
      }
      String value;
      if (spec.valueName() == null) {
        if (inline != null) {
          throw new UsageException("--" + name + " takes no value");
        }
        value = "true";
      } else if (inline != null) {
        value = inline;
      } else {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new UsageException("--" + name + " needs a value: " + spec.valueName());
        }
        value = args[++i];
      }
      List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
      if (!spec.repeatable() && !list.isEmpty()) {
        throw new UsageException("--" + name + " given twice");
      }
      list.add(value);
    }
    return new Parsed(values);
  }

  /** The options as help lines. */
  public String help() {
    StringBuilder sb = new StringBuilder();
    for (Spec s : specs.values()) {
      String left = "--" + s.name() + (s.valueName() == null ? "" : " " + s.valueName())
          + (s.repeatable() ? " [...]" : "");
      sb.append(String.format(Locale.ROOT, "  %-28s %s%s%n", left, s.help(),
          s.defaultValue() == null ? "" : " (default: " + s.defaultValue() + ")"));
    }
    return sb.toString();
  }

  /** Parsed values, with typed getters that name the option in their errors. */
  public final class Parsed {
    private final Map<String, List<String>> values;

    Parsed(Map<String, List<String>> values) {
      this.values = values;
    }

    public List<String> all(String name) {
      return values.getOrDefault(name, List.of());
    }

    public String get(String name) {
      List<String> v = values.get(name);
      if (v != null) {
        return v.get(0);
      }
      Spec spec = specs.get(name);
      return spec == null ? null : spec.defaultValue();
    }

    public String require(String name) {
      String v = get(name);
      if (v == null || v.isBlank()) {
        throw new UsageException("--" + name + " is required: " + specs.get(name).valueName());
      }
      return v;
    }

    public boolean flag(String name) {
      return values.containsKey(name);
    }

    public long positiveLong(String name) {
      String v = get(name);
      try {
        long n = Long.parseLong(v.trim());
        if (n <= 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (RuntimeException e) {
        throw new UsageException("--" + name + " must be a positive whole number, got '" + v + "'");
      }
    }

    public int nonNegativeInt(String name) {
      String v = get(name);
      try {
        int n = Integer.parseInt(v.trim());
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (RuntimeException e) {
        throw new UsageException("--" + name + " must be 0 or a positive whole number, got '"
            + v + "'");
      }
    }

    /** A whole number in [lo, hi]. */
    public int intIn(String name, int lo, int hi) {
      String v = get(name);
      try {
        int n = Integer.parseInt(v.trim());
        if (n < lo || n > hi) {
          throw new NumberFormatException();
        }
        return n;
      } catch (RuntimeException e) {
        throw new UsageException("--" + name + " must be a whole number from " + lo + " to " + hi
            + ", got '" + v + "'");
      }
    }

    /** A finite number in [lo, hi]. */
    public double doubleIn(String name, double lo, double hi) {
      String v = get(name);
      try {
        double d = Double.parseDouble(v.trim());
        if (!(d >= lo && d <= hi)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (RuntimeException e) {
        throw new UsageException("--" + name + " must be a number from " + lo + " to " + hi
            + ", got '" + v + "'");
      }
    }

    public <E extends Enum<E>> E choice(String name, Class<E> type) {
      String v = get(name);
      try {
        return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (RuntimeException e) {
        StringBuilder allowed = new StringBuilder();
        for (E c : type.getEnumConstants()) {
          allowed.append(allowed.length() == 0 ? "" : ", ")
              .append(c.name().toLowerCase(Locale.ROOT));
        }
        throw new UsageException("--" + name + " must be one of " + allowed + ", got '" + v + "'");
      }
    }
  }
}
