package io.talkset.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** dlib's example photos: 43 face boxes with 68 points each (testing + training lists). */
public final class DlibFaces {
  public record Face(String file, float[] box, float[] points) {}

  private DlibFaces() {}

  public static List<Face> load(String xml) throws IOException {
    Pattern image = Pattern.compile("<image file='([^']+)'[^>]*>(.*?)</image>", Pattern.DOTALL);
    Pattern box = Pattern.compile("<box top='(-?\\d+)' left='(-?\\d+)' width='(\\d+)'"
        + " height='(\\d+)'>(.*?)</box>", Pattern.DOTALL);
    Pattern part = Pattern.compile("<part name='(\\d+)' x='(-?\\d+)' y='(-?\\d+)'/>");
    String text = Files.readString(Samples.get("photos/dlib/" + xml), StandardCharsets.ISO_8859_1);
    List<Face> out = new ArrayList<>();
    Matcher im = image.matcher(text);
    while (im.find()) {
      Matcher b = box.matcher(im.group(2));
      while (b.find()) {
        float top = Float.parseFloat(b.group(1));
        float left = Float.parseFloat(b.group(2));
        float[] bx = {left, top, left + Float.parseFloat(b.group(3)),
            top + Float.parseFloat(b.group(4))};
        float[] pts = new float[136];
        Matcher p = part.matcher(b.group(5));
        int n = 0;
        while (p.find()) {
          int k = Integer.parseInt(p.group(1));
          pts[2 * k] = Float.parseFloat(p.group(2));
          pts[2 * k + 1] = Float.parseFloat(p.group(3));
          n++;
        }
        if (n != 68) {
          throw new IOException(im.group(1) + ": " + n + " points");
        }
        out.add(new Face(im.group(1), bx, pts));
      }
    }
    return out;
  }

  public static List<Face> all() throws IOException {
    List<Face> f = new ArrayList<>(load("training_with_face_landmarks.xml"));
    f.addAll(load("testing_with_face_landmarks.xml"));
    return f;
  }
}
