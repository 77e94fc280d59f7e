"""Reference side of MorphableJobSuite: numpy's SVD of a matrix, and the model folder as numpy
and pyarrow read it. Usage: morphable_check.py MATRIX.npy K OUT_BASIS.f64 MODEL_DIR
(K = 0: no SVD; MODEL_DIR = -: no model)
Prints JSON: the numpy basis goes to OUT_BASIS.f64 (K x d float64, C order); the eigenvalues
(squared singular values / n of the centred matrix) and the model folder's shapes are printed."""
import json
import sys

import numpy as np
import pyarrow.parquet as pq

out = {}
k = int(sys.argv[2])
if k > 0:
    x = np.load(sys.argv[1]).astype(np.float64)
    xc = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    vt[:k].astype("<f8").tofile(sys.argv[3])
    out["eigenvalues"] = (s[:k] ** 2 / x.shape[0]).tolist()

model = sys.argv[4]
if model == "-":
    print(json.dumps(out))
    sys.exit(0)
mean = np.load(model + "/mean.npy")
idb = np.load(model + "/id_basis.npy")
expb = np.load(model + "/exp_basis.npy")
t = pq.read_table(model + "/model.parquet").to_pydict()
rows = {(p, c): np.asarray(v, dtype=np.float32)
        for p, c, v in zip(t["part"], t["component"], t["values"])}
same = all(np.array_equal(rows[("identity", i)], idb[i]) for i in range(idb.shape[0])) and \
    all(np.array_equal(rows[("expression", i)], expb[i]) for i in range(expb.shape[0])) and \
    np.array_equal(rows[("mean", 0)], mean)
out.update({"mean_shape": list(mean.shape), "id_shape": list(idb.shape),
            "exp_shape": list(expb.shape), "dtype": str(idb.dtype),
            "id_orthonormal_error": float(np.abs(idb @ idb.T - np.eye(idb.shape[0])).max()),
            "parquet_equals_npy": bool(same), "parquet_rows": len(t["part"])})
print(json.dumps(out))
