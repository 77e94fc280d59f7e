package io.talkset.core.datasets;

import java.util.Map;

/**
 * Dataset metadata read from a file's path. Emotions use one vocabulary across datasets
 * ({@code neutral calm happy sad angry fearful disgusted surprised contempt}); every field but
 * {@code dataset} may be null when the layout does not say.
 *
 * @param dataset layout name: mead, ravdess, crema-d, hdtf, voxceleb2, lrs3 or generic
 * @param speaker speaker key, unique within the dataset
 * @param gender male or female when the layout encodes it
 * @param emotion emotion label in the common vocabulary
 * @param intensity intensity as the dataset grades it (MEAD 1-3; RAVDESS normal/strong; CREMA-D
 *     low/medium/high/unspecified)
 * @param sentenceKey a key equal for clips of the same sentence by the same speaker, when the
 *     layout gives one (RAVDESS statement, CREMA-D sentence code); null for MEAD, whose numbers
 *     differ across emotions
 * @param view camera view (MEAD)
 * @param take take, repetition or utterance number within the speaker's folder
 * @param extra dataset-specific raw fields (e.g. RAVDESS modality, YouTube id, sentence text)
 */
public record ClipMetadata(
    String dataset,
    String speaker,
    String gender,
    String emotion,
    String intensity,
    String sentenceKey,
    String view,
    String take,
    Map<String, String> extra) {}
