/**
 * The morphable job: a morphable model of 3D face shape learned from the dataset's face meshes
 * (generalized Procrustes, then PCA of identity and expression), and every frame's coefficients.
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.morphable;
