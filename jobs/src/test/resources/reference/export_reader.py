"""Reads an export back with the reference readers (tarfile, numpy, wave, pyarrow) and compares
every sample with the dataset's Parquet rows; prints one JSON report for ExportJobSuite.

usage: export_reader.py FORMAT EXPORT_ROOT DATASET_ROOT EXTRACT_DIR [VIEW SIDE]

For the aligned and mouth views (VIEW, pictures of SIDE pixels) the expected arrays and pictures
come from scikit-image: the least-squares similarity from the smoothed crop landmarks 33, 36,
39, 42, 45 onto the mean face, and its bilinear warp of the stored crop.
"""
import io
import json
import os
import re
import sys
import tarfile
import wave

import numpy as np
import pyarrow.parquet as pq

FMT, ROOT, DATASET, EXTRACT = sys.argv[1:5]
SPLITS = ("train", "val", "test")
MM = ["mm_id", "mm_exp", "mm_tex", "mm_angles", "mm_gamma", "mm_trans"]
COLS = ["clip_id", "frame_index", "jpeg", "landmarks_crop", "yaw_deg", "pitch_deg", "roll_deg",
        "tx_mm", "ty_mm", "tz_mm", "expression", "hdtf", "evp", "samples", "size", "window_x",
        "window_y", "window_side", "mesh", "mesh_confidence"] + MM
VIEW = sys.argv[5] if len(sys.argv) > 5 else "face"
SIDE = int(sys.argv[6]) if len(sys.argv) > 6 else 0
# HeadPose's mean face, points 33, 36, 39, 42, 45, mm, y down; the views' squares (FaceViews).
TEMPLATE = np.array([[0, 44], [-45, -1], [-16, 1], [16, 1], [45, -1]], np.float64)
ALIGNED_MM, ALIGNED_CENTRE_MM, MOUTH_MM = 220.0, 30.0, 96.0


def view_map(r):
    """3x3: crop pixels to view pixels (continuous coordinates), or the identity for face."""
    if VIEW == "face":
        return np.eye(3)
    if r["landmarks_crop"] is None:
        return None
    from skimage.transform import SimilarityTransform
    lm = np.asarray(r["landmarks_crop"], np.float64).reshape(68, 2)
    sim = SimilarityTransform.from_estimate(lm[[33, 36, 39, 42, 45]], TEMPLATE)
    if VIEW == "aligned":
        k, centre = SIDE / ALIGNED_MM, np.array([0.0, ALIGNED_CENTRE_MM])
    else:
        k, centre = SIDE / MOUTH_MM, sim(lm[48:68]).mean(axis=0)
    return np.array([[k, 0, SIDE / 2 - k * centre[0]], [0, k, SIDE / 2 - k * centre[1]],
                     [0, 0, 1]]) @ sim.params


def landmarks(r):
    if r["landmarks_crop"] is None or r["__map__"] is None:
        return None
    lm = np.asarray(r["landmarks_crop"], np.float64).reshape(68, 2)
    m = r["__map__"]
    return (lm @ m[:2, :2].T + m[:2, 2]).ravel().tolist()


def mesh(r):
    if r["mesh"] is None or r["__map__"] is None:
        return None
    p = np.asarray(r["mesh"], np.float64).reshape(468, 3)
    s = r["size"] / r["window_side"]
    xy = (p[:, :2] - [r["window_x"], r["window_y"]]) * s
    m = r["__map__"]
    xy = xy @ m[:2, :2].T + m[:2, 2]
    z = p[:, 2] * s * np.hypot(m[0, 0], m[1, 0])
    return np.c_[xy, z].ravel().tolist()

ref = {}
for split in SPLITS:
    d = os.path.join(DATASET, split, "frames")
    for r in pq.read_table(d, columns=COLS).to_pylist():
        ref.setdefault(r["clip_id"], []).append(r)
for rows in ref.values():
    rows.sort(key=lambda r: r["frame_index"])
    for r in rows:
        r["__map__"] = view_map(r)
# Computed here, not copied: equal to float32 rounding of the values they come from.
CLOSE = {"landmarks", "affine", "mesh"}


def scalars(r, names):
    v = [r[n] for n in names]
    return None if any(x is None for x in v) else v


FIELDS = {
    "landmarks": landmarks,
    "affine": lambda r: None if VIEW == "face" or r["__map__"] is None
    else r["__map__"][:2].ravel().tolist(),
    "pose": lambda r: scalars(r, ["yaw_deg", "pitch_deg", "roll_deg", "tx_mm", "ty_mm", "tz_mm"]),
    "expression": lambda r: r["expression"],
    "params": lambda r: None if any(r[m] is None for m in MM) else sum((r[m] for m in MM), []),
    "mesh": mesh,
    "mesh_confidence": lambda r: None if r["mesh_confidence"] is None else [r["mesh_confidence"]],
    "hdtf": lambda r: r["hdtf"],
    "evp": lambda r: r["evp"],
    "samples": lambda r: r["samples"],
}


def compare(clip, meta, arrays, wav_bytes, jpgs):
    """The sample against the clip's rows in its span (the clip's, or a window's): arrays, the
    WAV's PCM, the JPEG bytes."""
    first, frames = meta["first_frame"], meta["frames"]
    rows = [r for r in ref[clip] if first <= r["frame_index"] < first + frames]
    out = {"clip_id": clip, "frames": frames, "rows": len(rows), "first_frame": first,
           "last_row_frame": rows[-1]["frame_index"]}
    out["frame_index_ok"] = arrays["frame_index"].tolist() == list(range(first, first + frames))
    out["face_ok"] = np.flatnonzero(arrays["face"]).tolist() == [
        r["frame_index"] - first for r in rows]
    fields = {}
    for name, get in FIELDS.items():
        values = [get(r) for r in rows]
        if all(v is None for v in values):
            fields[name] = "absent" if name not in arrays else "unexpected"
            continue
        d = len(next(v for v in values if v is not None))
        expected = np.full((frames, d), np.nan, dtype=np.float32)
        for r, v in zip(rows, values):
            if v is not None:
                expected[r["frame_index"] - first] = v
        got = arrays.get(name)
        if got is None:
            fields[name] = "missing"
            continue
        flat = got.reshape(frames, -1)
        if name in CLOSE:
            same = flat.shape == expected.shape and bool(np.allclose(
                flat, expected, rtol=1e-5, atol=2e-3, equal_nan=True))
        else:
            same = bool(np.array_equal(flat, expected, equal_nan=True))
        fields[name] = {"shape": list(got.shape), "dtype": str(got.dtype), "equal": same}
    out["fields"] = fields
    out["extra_fields"] = sorted(set(arrays) - set(FIELDS) - {"frame_index", "face"})
    if wav_bytes is not None:
        with wave.open(io.BytesIO(wav_bytes)) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2")
            out["wav"] = {"channels": w.getnchannels(), "width": w.getsampwidth(),
                          "rate": w.getframerate(), "samples": w.getnframes()}
        # The audio table's own samples of each frame, as 16-bit PCM (round half up).
        diffs = []
        for r in rows:
            if r["samples"] is None:
                continue
            j = r["frame_index"] - first
            want = np.clip(np.floor(np.asarray(r["samples"], np.float64) * 32768 + 0.5),
                           -32768, 32767)
            diffs.append(np.abs(pcm[j * 640:(j + 1) * 640].astype(np.float64) - want).max())
        out["wav"]["frames_compared"] = len(diffs)
        out["wav"]["max_diff"] = float(max(diffs)) if diffs else None
    if jpgs is not None and VIEW != "face":
        # Each view JPEG against scikit-image's warp of the stored crop, mouth centroid too.
        import imageio.v3 as iio
        from skimage.transform import AffineTransform, warp
        half = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
        by_frame = {r["frame_index"] - first: r for r in rows}
        diffs, shapes, centroids = [], set(), []
        for j, b in jpgs.items():
            r = by_frame[j]
            got = iio.imread(b).astype(np.float64)
            shapes.add(got.shape)
            inv = np.linalg.inv(half) @ np.linalg.inv(r["__map__"]) @ half
            want = warp(iio.imread(r["jpeg"]).astype(np.float64), AffineTransform(matrix=inv),
                        output_shape=(SIDE, SIDE), order=1, mode="constant", cval=0,
                        preserve_range=True)
            diffs.append(float(np.abs(got - want).mean()))
            lm = np.asarray(landmarks(r)).reshape(68, 2)
            centroids.append(lm[48:68].mean(axis=0).tolist())
        out["jpgs"] = len(jpgs)
        out["jpgs_frames_ok"] = sorted(jpgs) == sorted(by_frame)
        out["view_shapes"] = sorted(list(s) for s in shapes)
        out["view_mean_diff"] = max(diffs)
        c = np.asarray(centroids)
        out["mouth_centroid_max_off"] = float(np.abs(c - SIDE / 2).max())
    elif jpgs is not None:
        by_frame = {r["frame_index"] - first: r["jpeg"] for r in rows}
        out["jpgs"] = len(jpgs)
        out["jpgs_equal"] = sorted(jpgs) == sorted(by_frame) and all(
            jpgs[j] == by_frame[j] for j in jpgs)
    return out


def npy(b):
    return np.load(io.BytesIO(b), allow_pickle=False)


# WebDataset's grouping: the key is the member name up to the first dot of its base name.
KEY = re.compile(r"^((?:.*/|)[^./]+)\.([^/]*)$")

report = {"format": FMT}
if FMT == "webdataset":
    shards = sorted(n for n in os.listdir(ROOT) if n.endswith(".tar"))
    report["shards"] = []
    samples = []
    for name in shards:
        members = []
        with tarfile.open(os.path.join(ROOT, name)) as t:
            for m in t:
                members.append((m.name, t.extractfile(m).read()))
        report["shards"].append({"name": name, "members": [m[0] for m in members]})
        current = None
        for member, data in members:
            key, field = KEY.match(member).groups()
            if current is None or current["__key__"] != key:
                current = {"__key__": key, "__shard__": name, "__order__": []}
                samples.append(current)
            current["__order__"].append(field)
            current[field] = data
    report["keys"] = [s["__key__"] for s in samples]
    report["samples"] = []
    os.makedirs(EXTRACT, exist_ok=True)
    for s in samples:
        meta = json.loads(s["json"])
        arrays = {f[:-4]: npy(b) for f, b in s.items()
                  if isinstance(b, bytes) and f.endswith(".npy")}
        jpgs = {int(f[:-4]): b for f, b in s.items()
                if isinstance(b, bytes) and re.fullmatch(r"\d{5,}\.jpg", f)}
        r = compare(meta["clip_id"], meta, arrays, s.get("wav"), jpgs if jpgs else None)
        r.update({"key": s["__key__"], "shard": s["__shard__"], "fields_in_order":
                  s["__order__"], "meta": meta})
        if "mp4" in s:
            p = os.path.join(EXTRACT, s["__key__"].replace("/", "-") + ".mp4")
            with open(p, "wb") as f:
                f.write(s["mp4"])
            r["mp4"] = p
        if "json" in s:
            r["fields_present"] = sorted(arrays)
        report["samples"].append(r)
elif FMT == "frames":
    report["samples"] = []
    report["filelists"] = {}
    for split in SPLITS:
        with open(os.path.join(ROOT, split, "filelist.txt")) as f:
            lines = f.read().splitlines()
        report["filelists"][split] = lines
        for line in lines:
            # CLIP_ID, or CLIP_ID/WINDOW_ID per window.
            d = os.path.join(ROOT, split, line)
            name = "window.json" if "/" in line else "clip.json"
            meta = json.load(open(os.path.join(d, name)))
            clip = meta["clip_id"]
            z = np.load(os.path.join(d, "params.npz"), allow_pickle=False)
            arrays = {k: z[k] for k in z.files}
            jpgs = {int(n[:-4]): open(os.path.join(d, n), "rb").read()
                    for n in os.listdir(d) if n.endswith(".jpg")}
            wav_path = os.path.join(d, "audio.wav")
            wav_bytes = open(wav_path, "rb").read() if os.path.exists(wav_path) else None
            r = compare(clip, meta, arrays, wav_bytes, jpgs)
            r.update({"split": split, "line": line, "files": sorted(os.listdir(d)),
                      "meta": meta})
            report["samples"].append(r)
print(json.dumps(report))
