/**
 * Model files pinned by SHA-256 and the ONNX plumbing: an ONNX graph writer, face-api weights
 * converted to ONNX, and networks run through DJL's ONNX Runtime engine.
 *
 * <p>May import: errors, hashing.
 */
package io.talkset.core.models;
