"""librosa's side of bin/bench-dtw: librosa.sequence.dtw (default steps) on the features DtwBench
wrote, one core: on the precomputed Euclidean cost matrix (C=), on the features (X, Y,
metric='euclidean': scipy's cdist inside), and with librosa's band of the same radius in frames
(global_constraints=True; librosa still walks the whole matrix). Prints the best thread CPU
times, as DtwBench measures them, and cells per second in DtwBench's format (band cells for the
band). Usage: dtw_bench.py WORK RADIUS L...
"""
import os
import sys
import time

import numpy as np
import librosa
from scipy.spatial.distance import cdist

work, radius = sys.argv[1], int(sys.argv[2])
lengths = [int(a) for a in sys.argv[3:]]
librosa.sequence.dtw(C=np.random.default_rng(0).random((50, 60)))  # numba compile/cache load


def best(f):
    times = []
    while len(times) < 2 or sum(times) < 1:
        t = time.thread_time()
        f()
        times.append(time.thread_time() - t)
    return min(times)


def show(what, n, cells, s):
    print(f"librosa {what:<12} {n:6d} {cells:12d} cells {s:10.6f} s"
          f" {cells / s / 1e6:9.1f} Mcells/s")


for n in lengths:
    if n > 4000:
        continue  # the full matrix would not fit: librosa keeps C, D and steps for every cell
    x = np.fromfile(os.path.join(work, f"x_{n}.f64"), dtype="<f8").reshape(n, -1)
    y = np.fromfile(os.path.join(work, f"y_{n}.f64"), dtype="<f8").reshape(n, -1)
    c = cdist(x, y, metric="euclidean")
    show("full-cost", n, n * n, best(lambda: librosa.sequence.dtw(C=c)))
    show("full-feat", n, n * n, best(lambda: librosa.sequence.dtw(X=x.T, Y=y.T)))
    band_rad = radius / n
    assert int(np.round(band_rad * n)) == radius
    cells = n * (2 * radius - 1) - radius * (radius - 1)
    show(f"band{radius}-feat", n, cells, best(
        lambda: librosa.sequence.dtw(X=x.T, Y=y.T, global_constraints=True, band_rad=band_rad)))
