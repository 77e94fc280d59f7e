"""scikit-image's side of bin/bench-ssim: the same 512x512 RGB pairs with the same settings,
one core. Timed in CPU seconds of this process, like SsimBench (shared machines).
Usage: metrics_bench.py PAIRS.txt SECONDS"""
import sys
import time

import numpy as np
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

pairs = []
for line in open(sys.argv[1]):
    a, b = line.split()
    pairs.append((np.fromfile(a, dtype=np.uint8).reshape(512, 512, 3),
                  np.fromfile(b, dtype=np.uint8).reshape(512, 512, 3)))
seconds = float(sys.argv[2])
GAUSS = dict(data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)


def ssim_skimage(a, b):
    return structural_similarity(a, b, channel_axis=-1, **GAUSS)


def ssim_y(a, b):
    return structural_similarity(rgb2ycbcr(a)[..., 0], rgb2ycbcr(b)[..., 0], **GAUSS)


def psnr_rgb(a, b):
    return peak_signal_noise_ratio(a, b, data_range=255)


def psnr_y(a, b):
    return peak_signal_noise_ratio(rgb2ycbcr(a)[..., 0], rgb2ycbcr(b)[..., 0], data_range=255)


for name, f in [("ssim-skimage", ssim_skimage), ("ssim-wang-y", ssim_y),
                ("psnr-rgb", psnr_rgb), ("psnr-y", psnr_y)]:
    f(*pairs[0])
    n = 0
    total = 0.0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while time.process_time() - c0 < seconds:
        for a, b in pairs:
            total += f(a, b)
            n += 1
    c = time.process_time() - c0
    s = time.perf_counter() - t0
    print(f"skimage {name:13s} {n / c:9.1f} pairs/cpu-s ({n} pairs in {c:.2f} cpu-s, "
          f"{s:.2f} s wall: {n / s:.1f}/s; mean value {total / n:.4f})")
