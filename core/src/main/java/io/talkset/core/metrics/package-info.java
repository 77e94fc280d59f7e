/**
 * Picture and face metrics with reference-checked definitions: SSIM, PSNR, CPBD sharpness,
 * landmark distances (LMD, LVD), identity cosine and a Frechet distance.
 *
 * <p>May import: faceparams.
 */
package io.talkset.core.metrics;
