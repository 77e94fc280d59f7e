/**
 * Finding, tracking and cropping faces: BlazeFace detection, tracks cut into subject segments,
 * crop windows, and the two-pass pipeline that turns a video into face crops.
 *
 * <p>May import: errors, models, video.
 */
package io.talkset.core.faces;
