"""librosa.sequence.dtw on the cases of talkset's DTW tests, with its default steps and weights.
Usage: dtw_reference.py DIR

DIR/spec.json is a list of cases, each either
  {"kind": "cost", "n": N, "m": M, "c": FILE, "band_rad": null | float}
      FILE holds the N x M cost matrix, float64 little-endian, row-major;
  {"kind": "features", "n": N, "m": M, "d": D, "x": FILE, "y": FILE, "metric": "euclidean" |
   "cityblock" | "cosine", "normalization": "none" | "mean" | "mean_variance", "band_rad": ...}
      FILEs hold frames x dims (float64, row-major); normalization is per clip and dimension,
      population standard deviation, a constant dimension only centred.
band_rad null means no band (global_constraints=False).

For case i this writes DIR/out_<i>.D (the accumulated cost matrix, float64, N x M) and
DIR/out_<i>.wp (the path as librosa returns it, end to start: int32 pairs), or DIR/out_<i>.error
with librosa's message when it raises.
"""
import json
import os
import sys

import numpy as np
import librosa


def normalize(f, how):
    if how == "none":
        return f
    f = f - f.mean(axis=0)
    if how == "mean_variance":
        sd = f.std(axis=0)
        f = f / np.where(sd > 0, sd, 1.0)
    return f


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "spec.json")) as fh:
        cases = json.load(fh)
    for i, case in enumerate(cases):
        n, m = case["n"], case["m"]
        kw = {}
        if case.get("band_rad") is not None:
            kw = {"global_constraints": True, "band_rad": case["band_rad"]}
        try:
            if case["kind"] == "cost":
                c = np.fromfile(os.path.join(folder, case["c"]), dtype="<f8").reshape(n, m)
                D, wp = librosa.sequence.dtw(C=c, **kw)
            else:
                d = case["d"]
                x = np.fromfile(os.path.join(folder, case["x"]), dtype="<f8").reshape(n, d)
                y = np.fromfile(os.path.join(folder, case["y"]), dtype="<f8").reshape(m, d)
                x = normalize(x, case["normalization"])
                y = normalize(y, case["normalization"])
                # librosa wants dims x frames.
                D, wp = librosa.sequence.dtw(X=x.T, Y=y.T, metric=case["metric"], **kw)
        except librosa.util.exceptions.ParameterError as e:
            with open(os.path.join(folder, f"out_{i}.error"), "w") as fh:
                fh.write(str(e))
            continue
        np.ascontiguousarray(D, dtype="<f8").tofile(os.path.join(folder, f"out_{i}.D"))
        np.ascontiguousarray(wp, dtype="<i4").tofile(os.path.join(folder, f"out_{i}.wp"))


main()
