"""Reference image metrics for the metrics tests: scikit-image 0.26's SSIM and PSNR, and a
float64 transcription of the SSIM authors' ssim_index.m (Wang et al. 2004) on BT.601 luma.

Usage: metrics_reference.py SPEC.json OUT_DIR
SPEC: [{"name": ..., "a": raw.u8, "b": raw.u8, "height": H, "width": W, "map": bool}, ...]
with H x W x 3 RGB bytes. Writes OUT_DIR/results.json, and OUT_DIR/<name>.map.f64 (skimage's
full SSIM map, H x W x 3 little-endian float64) where "map" is true."""
import json
import os
import sys

import numpy as np
from scipy.signal import correlate2d
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

SKIMAGE = dict(channel_axis=-1, data_range=255, gaussian_weights=True, sigma=1.5,
               use_sample_covariance=False)


def ssim_index_m(img1, img2):
    """ssim_index.m's default path: 11x11 Gaussian (fspecial, sigma 1.5), K = [0.01 0.03],
    L = 255, filter2(..., 'valid'), mean of the map."""
    x = np.arange(-5, 6)
    g = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    c1 = (0.01 * 255) ** 2
    c2 = (0.03 * 255) ** 2
    f = lambda z: correlate2d(z, g, mode="valid")
    mu1, mu2 = f(img1), f(img2)
    s1 = f(img1 * img1) - mu1 * mu1
    s2 = f(img2 * img2) - mu2 * mu2
    s12 = f(img1 * img2) - mu1 * mu2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (s1 + s2 + c2))
    return float(m.mean())


def main():
    spec = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    results = []
    for item in spec:
        shape = (item["height"], item["width"], 3)
        a = np.fromfile(item["a"], dtype=np.uint8).reshape(shape)
        b = np.fromfile(item["b"], dtype=np.uint8).reshape(shape)
        ssim, smap = structural_similarity(a, b, full=True, **SKIMAGE)
        channels = [float(structural_similarity(a[..., c], b[..., c], channel_axis=None,
                                                **{k: v for k, v in SKIMAGE.items()
                                                   if k != "channel_axis"}))
                    for c in range(3)]
        ya = rgb2ycbcr(a)[..., 0]
        yb = rgb2ycbcr(b)[..., 0]
        with np.errstate(divide="ignore"):
            psnr_rgb = peak_signal_noise_ratio(a, b, data_range=255)
            psnr_y = peak_signal_noise_ratio(ya, yb, data_range=255)
        results.append({
            "name": item["name"],
            "ssim_skimage": float(ssim),
            "ssim_skimage_channels": channels,
            # Another window (radius int(3.5 * 2 + 0.5) = 7) for the general filter path.
            "ssim_skimage_sigma2": float(structural_similarity(a, b, **{**SKIMAGE, "sigma": 2.0})),
            "ssim_wang_y": ssim_index_m(ya, yb),
            "ssim_skimage_y": float(structural_similarity(
                ya, yb, data_range=255, gaussian_weights=True, sigma=1.5,
                use_sample_covariance=False)),
            # JSON has no infinity: identical pictures are reported as null.
            "psnr_rgb": None if np.isinf(psnr_rgb) else float(psnr_rgb),
            "psnr_y": None if np.isinf(psnr_y) else float(psnr_y),
        })
        if item.get("map"):
            smap.astype("<f8").tofile(os.path.join(out, item["name"] + ".map.f64"))
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f)


main()
