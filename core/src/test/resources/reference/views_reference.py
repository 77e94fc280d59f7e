"""Reference for FaceViews: scikit-image's least-squares similarity and its warp.

Usage: views_reference.py CASES.json
CASES.json: a list of {"image": PNG (the source picture), "lm68": [136 floats, continuous
coordinates], "template": [10 floats: the mean face's points 33, 36, 39, 42, 45 in mm, y down],
"view": "aligned" | "mouth", "side": int, "aligned_mm", "aligned_centre_mm", "mouth_mm",
"java": PNG (FaceViews' picture), "java_matrix": [6 floats]}.
Prints a JSON list: per case the reference matrix, the largest difference from Java's,
the mean and 99th percentile of |reference picture - Java's| (grey levels, all channels) and
where the mouth centroid lands in the view (reference transform).
"""
import json
import sys

import imageio.v3 as iio
import numpy as np
from skimage.transform import AffineTransform, SimilarityTransform, warp

STABLE = [33, 36, 39, 42, 45]

out = []
for c in json.load(open(sys.argv[1])):
    lm = np.asarray(c["lm68"], dtype=np.float64).reshape(68, 2)
    tpl = np.asarray(c["template"], dtype=np.float64).reshape(5, 2)
    sim = SimilarityTransform.from_estimate(lm[STABLE], tpl)
    to_mm = sim.params  # 3x3, continuous crop px -> mm
    side = c["side"]
    if c["view"] == "aligned":
        k = side / c["aligned_mm"]
        centre = np.array([0.0, c["aligned_centre_mm"]])
    else:
        k = side / c["mouth_mm"]
        centre = sim(lm[48:68]).mean(axis=0)
    view = np.array([[k, 0, side / 2 - k * centre[0]], [0, k, side / 2 - k * centre[1]],
                     [0, 0, 1]]) @ to_mm
    mouth = (view @ np.c_[lm[48:68], np.ones(20)].T)[:2].mean(axis=1)
    # skimage's coordinates are pixel indices (centre at 0): shift by half a pixel both ways.
    half = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    inverse = np.linalg.inv(half) @ np.linalg.inv(view) @ half
    src = iio.imread(c["image"]).astype(np.float64)
    ref = warp(src, AffineTransform(matrix=inverse), output_shape=(side, side), order=1,
               mode="constant", cval=0, preserve_range=True)
    java = iio.imread(c["java"]).astype(np.float64)
    diff = np.abs(ref - java)
    out.append({
        "matrix": view[:2].ravel().tolist(),
        "matrix_max_diff": float(np.max(np.abs(view[:2].ravel() - np.asarray(c["java_matrix"])))),
        "pixel_mean_diff": float(diff.mean()),
        "pixel_p99_diff": float(np.percentile(diff, 99)),
        "mouth_centroid": mouth.tolist(),
    })
print(json.dumps(out))
