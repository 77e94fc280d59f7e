package io.talkset.core.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real file names from each dataset's distribution, as their download scripts and papers show
 * them. Columns: path | dataset | speaker | gender | emotion | intensity | sentence | view | take.
 */
class DatasetLayoutsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      hdfs://nn:8020/datasets/MEAD/M003/video/front/angry/level_1/001.mp4 | mead | M003 | male | angry | 1 | - | front | 001
      /data/MEAD/W009/video/left_30/happy/level_3/027.mp4 | mead | W009 | female | happy | 3 | - | left_30 | 027
      /data/MEAD/M030/video/1/right_60/fear/level_2/014.mp4 | mead | M030 | male | fearful | 2 | - | right_60 | 014
      s3a://bucket/MEAD/W015/audio/neutral/level_1/012.m4a | mead | W015 | female | neutral | 1 | - | - | 012
      file:/data/MEAD/M003/video/top/contempt/level_2/030.mp4 | mead | M003 | male | contempt | 2 | - | top | 030
      /ravdess/Actor_01/01-01-01-01-01-01-01.mp4 | ravdess | Actor_01 | male | neutral | normal | speech-01 | - | 01
      /ravdess/Audio_Speech_Actors_01-24/Actor_12/03-01-05-02-02-01-12.wav | ravdess | Actor_12 | female | angry | strong | speech-02 | - | 01
      /ravdess/Actor_15/02-02-06-01-02-02-15.mp4 | ravdess | Actor_15 | male | fearful | normal | song-02 | - | 02
      /crema-d/VideoFlash/1001_DFA_ANG_XX.flv | crema-d | 1001 | - | angry | unspecified | DFA | - | -
      /crema-d/AudioWAV/1091_WSI_SAD_XX.wav | crema-d | 1091 | - | sad | unspecified | WSI | - | -
      /crema-d/VideoFlash/1012_IEO_HAP_HI.flv | crema-d | 1012 | - | happy | high | IEO | - | -
      /HDTF/clips/WRA_AdamSchiff_000.mp4 | hdtf | AdamSchiff | - | - | - | - | - | 000
      /HDTF/clips/WDA_AmyKlobuchar1_001.mp4 | hdtf | AmyKlobuchar1 | - | - | - | - | - | 001
      /HDTF/RD_Radio10_000.mp4 | hdtf | Radio10 | - | - | - | - | - | 000
      /vox2/dev/mp4/id00012/21Uxsk56VDQ/00001.mp4 | voxceleb2 | id00012 | - | - | - | - | - | 00001
      /vox2/aac/id00017/01dfn2spqyE/00004.m4a | voxceleb2 | id00017 | - | - | - | - | - | 00004
      /lrs3/pretrain/0af00UcTOSc/00001.mp4 | lrs3 | 0af00UcTOSc | - | - | - | - | - | 00001
      /lrs3/test/0Fi83BHQsMA/00002.mp4 | lrs3 | 0Fi83BHQsMA | - | - | - | - | - | 00002
      /data/raw/alice/interview take2.mp4 | generic | alice | - | - | - | - | - | interview take2
      file:/root/.cache/talkset/samples/video/kphotoalbum/movie.avi | generic | kphotoalbum | - | - | - | - | - | movie
      """)
  void parsesRealNames(String path, String dataset, String speaker, String gender,
      String emotion, String intensity, String sentence, String view, String take) {
    ClipMetadata m = DatasetLayouts.parse(path);
    assertEquals(
        Arrays.asList(dataset, speaker, gender, emotion, intensity, sentence, view, take),
        Arrays.asList(m.dataset(), m.speaker(), m.gender(), m.emotion(), m.intensity(),
            m.sentenceKey(), m.view(), m.take()), path);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      /ravdess/Actor_12/03-01-05-02-02-01-12.wav | modality=audio-only,vocal_channel=speech,sentence_text=Dogs are sitting by the door
      /crema-d/1001_DFA_ANG_XX.flv | sentence_text=Don't forget a jacket
      /vox2/dev/mp4/id00012/21Uxsk56VDQ/00001.mp4 | youtube_id=21Uxsk56VDQ
      /HDTF/WRA_AdamSchiff_000.mp4 | hdtf_source=weekly republican address,hdtf_prefix=WRA
      """)
  void keepsDatasetSpecificFields(String path, String expected) {
    Map<String, String> extra = DatasetLayouts.parse(path).extra();
    for (String kv : expected.split(",")) {
      String[] p = kv.split("=", 2);
      assertEquals(p[1], extra.get(p[0]), path + " " + p[0]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      /data/MEAD/M003/video/front/bored/level_1/001.mp4 | generic
      /ravdess/Actor_31/01-01-01-01-01-01-31.mp4 | generic
      /crema-d/1001_XYZ_ANG_XX.flv | generic
      /vox2/id0001/21Uxsk56VDQ/00001.mp4 | generic
      """)
  void nearMissesFallBackToGeneric(String path, String dataset) {
    assertEquals(dataset, DatasetLayouts.parse(path).dataset());
  }

  @ParameterizedTest
  @CsvSource({"relative.mp4", "/top.mp4"})
  void fileWithoutParentHasNoSpeaker(String path) {
    assertNull(DatasetLayouts.parse(path).speaker());
  }
}
