package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Argument errors: one line naming the argument, exit code 2, and no Spark session started. */
class TalksetCliTest {

  record Outcome(int code, String out, String err) {}

  static synchronized Outcome execute(String... args) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = Talkset.execute(args);
      return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      crawl --output /tmp/o | talkset crawl: --input is required
      crawl --input /tmp/i | talkset crawl: --output is required
      crawl --input /tmp/i --output | talkset crawl: --output needs a value
      crawl --input /tmp/i --output /tmp/o --frame-count often | talkset crawl: --frame-count must be one of estimate, exact, got 'often'
      crawl --input /tmp/i --output /tmp/o --probe-timeout-ms -5 | talkset crawl: --probe-timeout-ms must be a positive whole number, got '-5'
      crawl --input /tmp/i --output /tmp/o --probe-timeout-ms soon | talkset crawl: --probe-timeout-ms must be a positive whole number, got 'soon'
      crawl --input /tmp/i --output /tmp/o --colour blue | talkset crawl: unknown option --colour
      crawl --input /tmp/i --output /tmp/o --require both | talkset crawl: --require must be one of any, video, audio, av, got 'both'
      crawl --input /tmp/i --output /tmp/o --output /tmp/p | talkset crawl: --output given twice
      resize --input /tmp/i | talkset: unknown job 'resize'
      crawl --input /tmp/i --output /tmp/o --then resize | talkset: unknown job 'resize'
      crawl --input /tmp/i --output /tmp/o --then crawl --input /tmp/i --output /tmp/o --colour blue | talkset crawl: unknown option --colour
      crawl --input /tmp/i --output /tmp/o --then | talkset: --then needs a command on both sides
      --then crawl --input /tmp/i --output /tmp/o | talkset: --then needs a command on both sides
      """)
  void wrongArgumentsGiveOneLineNamingThem(String args, String expected) throws Exception {
    Outcome o = execute(args.split(" "));
    assertEquals(2, o.code(), o.err());
    assertTrue(o.err().startsWith(expected), o.err());
    assertEquals(1, o.err().strip().lines().count(), o.err());
  }

  @Test
  void helpListsJobsAndEveryJobHasHelp() throws Exception {
    Outcome top = execute("--help");
    assertEquals(0, top.code());
    assertTrue(top.out().contains("crawl ") && top.out().contains("run "), top.out());
    for (String job : Talkset.jobs().keySet()) {
      Outcome h = execute(job, "--help");
      assertEquals(0, h.code());
      assertTrue(h.out().startsWith("usage: talkset " + job), h.out());
      assertTrue(h.out().contains("--input URI") && h.out().contains("--output URI"), h.out());
    }
  }
}
