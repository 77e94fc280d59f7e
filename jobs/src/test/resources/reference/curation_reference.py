"""The curation rules written again from their README definitions, on the stage tables as
pyarrow reads them: picks limits from the data (so each rule has frames on both sides), then
says which frames each rule removes, alone and all together; prints one JSON report for
CurationSuite.

usage: curation_reference.py ROOT
"""
import json
import math
import sys

import numpy as np
import pyarrow.parquet as pq

ROOT = sys.argv[1]
FPS = 25
# Attribution order of the README: clip and segment rules, frame rules, run length.
ORDER = ["sync_offset", "sync_confidence", "identity", "sync_retime", "face_size", "upscale",
         "sharpness", "yaw", "pitch", "outside", "faces", "segment_length"]


def rows(table, columns):
    return pq.read_table(f"{ROOT}/{table}", columns=columns).to_pylist()


def latest(status_rows):
    """One status row per clip: the greatest batch (what readers see)."""
    out = {}
    for r in status_rows:
        if r["clip_id"] not in out or r["batch"] > out[r["clip_id"]]["batch"]:
            out[r["clip_id"]] = r
    return out


frames_status = latest(rows("frames_clips", ["clip_id", "status", "grid_frames", "batch"]))
frames = [r for r in rows("frames", ["clip_id", "segment", "frame_index", "face_px", "upscale",
                                     "sharpness", "outside_fraction", "faces_in_picture",
                                     "batch"])
          if frames_status.get(r["clip_id"], {}).get("status") == "ok"
          and frames_status[r["clip_id"]]["batch"] == r["batch"]]
params_status = latest(rows("face_params_clips", ["clip_id", "status", "segments", "batch"]))
pose = {(r["clip_id"], r["frame_index"]): r
        for r in rows("face_params", ["clip_id", "frame_index", "yaw_deg", "pitch_deg", "batch"])
        if params_status.get(r["clip_id"], {}).get("status") == "ok"
        and params_status[r["clip_id"]]["batch"] == r["batch"]}
spread = {}
for c in params_status.values():
    if c["status"] == "ok":
        for s in c["segments"] or []:
            spread[(c["clip_id"], s["segment"])] = s["identity_spread"]
sync_status = latest(rows("sync_clips", ["clip_id", "status", "batch"]))
sync = {(r["clip_id"], r["segment"]): r
        for r in rows("sync", ["clip_id", "segment", "status", "frames", "offset_frames",
                               "confidence", "batch"])
        if sync_status.get(r["clip_id"], {}).get("status") == "ok"
        and sync_status[r["clip_id"]]["batch"] == r["batch"]}

segments = {}
for f in frames:
    segments.setdefault((f["clip_id"], f["segment"]), []).append(f)
for fs in segments.values():
    fs.sort(key=lambda f: f["frame_index"])


def clip_shift(limits, clip):
    """The clip's audio shift (README, --curate-sync-retime): minus the offset of its longest
    measured segment (lowest segment on a tie) when beyond the offset limit, within the
    re-timing limit and confident enough; else 0. Only with the offset rule on."""
    if not limits.get("sync_retime") or "sync_offset" not in limits:
        return 0
    if sync_status.get(clip, {}).get("status") != "ok":
        return 0
    measured = [s for (c, _), s in sync.items() if c == clip and s["status"] == "ok"
                and s["offset_frames"] is not None and s["confidence"] is not None]
    if not measured:
        return 0
    ref = sorted(measured, key=lambda s: (-s["frames"], s["segment"]))[0]
    off = abs(ref["offset_frames"])
    confident = "sync_confidence" not in limits or ref["confidence"] >= limits["sync_confidence"]
    if limits["sync_offset"] < off <= limits["sync_retime"] and confident:
        return -ref["offset_frames"]
    return 0


def segment_rule(limits, key, shift=0):
    """The clip or segment rule removing the whole segment, or None."""
    if "sync_offset" in limits or "sync_confidence" in limits:
        missing = "sync_offset" if "sync_offset" in limits else "sync_confidence"
        c = sync_status.get(key[0])
        s = sync.get(key)
        if c is None or c["status"] != "ok":
            return missing
        if s is None or s["status"] != "ok" or s["offset_frames"] is None \
                or s["confidence"] is None:
            return missing
        if "sync_offset" in limits and abs(s["offset_frames"] + shift) > limits["sync_offset"]:
            return "sync_offset"
        if "sync_confidence" in limits and s["confidence"] < limits["sync_confidence"]:
            return "sync_confidence"
    if "identity" in limits:
        v = spread.get(key)
        if v is None or v > limits["identity"]:
            return "identity"
    return None


def frame_rule(limits, f):
    p = pose.get((f["clip_id"], f["frame_index"]), {})
    yaw, pitch = p.get("yaw_deg"), p.get("pitch_deg")
    tests = [
        ("face_size", lambda L: f["face_px"] < L),
        ("upscale", lambda L: f["upscale"] > L),
        ("sharpness", lambda L: f["sharpness"] is None or f["sharpness"] < L),
        ("yaw", lambda L: yaw is None or abs(yaw) > L),
        ("pitch", lambda L: pitch is None or abs(pitch) > L),
        ("outside", lambda L: f["outside_fraction"] > L),
        ("faces", lambda L: f["faces_in_picture"] > L),
    ]
    for name, broken in tests:
        if name in limits and broken(limits[name]):
            return name
    return None


def curate(limits):
    """{"clip/frame": rule} for every removed frame."""
    removed = {}
    for key, fs in segments.items():
        shift = clip_shift(limits, key[0])
        whole = segment_rule(limits, key, shift)
        grid = frames_status[key[0]]["grid_frames"]

        def heard(f):
            a = f["frame_index"] - shift
            return a >= 0 and (grid is None or a < grid)

        verdict = [whole if whole else "sync_retime" if shift and not heard(f)
                   else frame_rule(limits, f) for f in fs]
        if not whole and "segment_length" in limits:
            need = max(1, math.ceil(limits["segment_length"] * FPS - 1e-9))
            i = 0
            while i < len(fs):
                if verdict[i] is not None:
                    i += 1
                    continue
                j = i + 1
                while j < len(fs) and verdict[j] is None \
                        and fs[j]["frame_index"] == fs[j - 1]["frame_index"] + 1:
                    j += 1
                if j - i < need:
                    for k in range(i, j):
                        verdict[k] = "segment_length"
                i = j
        for f, v in zip(fs, verdict):
            if v is not None:
                removed[f"{f['clip_id']}/{f['frame_index']}"] = v
    return removed


def values(name):
    if name in ("yaw", "pitch"):
        col = "yaw_deg" if name == "yaw" else "pitch_deg"
        return [abs(p[col]) for p in pose.values() if p[col] is not None]
    if name == "identity":
        return [v for v in spread.values() if v is not None]
    if name in ("sync_offset", "sync_retime"):
        return [abs(s["offset_frames"]) for s in sync.values() if s["status"] == "ok"]
    if name == "sync_confidence":
        return [s["confidence"] for s in sync.values() if s["status"] == "ok"]
    if name == "segment_length":
        return [len(fs) / FPS for fs in segments.values()]
    column = {"face_size": "face_px", "upscale": "upscale", "sharpness": "sharpness",
              "outside": "outside_fraction", "faces": "faces_in_picture"}[name]
    return [f[column] for f in frames if f[column] is not None]


MINIMUMS = {"face_size", "sharpness", "sync_confidence", "segment_length"}


def pick(name, q):
    """A value seen in the data: the q-quantile (lower) of what the rule looks at."""
    v = np.sort(np.asarray(values(name), dtype=np.float64))
    return float(v[int(math.floor(q * (len(v) - 1)))])


def alone_limit(name):
    """The median, so the rule has frames on both sides; where that removes nothing (a value
    constant on these copies of one video), just under the smallest value (over the largest
    for minimums), so the rule removes every frame."""
    limit = pick(name, 0.5)
    if curate({name: limit}):
        return limit
    v = values(name)
    return max(v) * 1.001 + 1e-9 if name in MINIMUMS else min(v) * 0.999


# Together: a tenth of the frames (minimums at the 10 % point, maximums at the 90 % point), and
# 2 s runs.
# Re-timing alone re-times nothing (it replaces the offset rule's removal): its limit is the
# largest offset measured.
alone = {name: alone_limit(name) for name in ORDER if name != "sync_retime"}
alone["sync_retime"] = max(values("sync_retime"))
together = {name: pick(name, 0.1 if name in MINIMUMS else 0.9) for name in ORDER}
together["segment_length"] = 2.0
together["sync_offset"] = alone["sync_offset"]
# Every clip beyond the offset limit is re-timed when confident: the edge frames it loses and
# the offsets left on its other segments are the reference's too.
together["sync_retime"] = max(values("sync_retime"))
def windows(removed, length, hop):
    """LatentSync-style windows: `length` consecutive kept frames, starting at each run's first
    frame and every `hop` frames after it while the window fits in the run."""
    out = []
    for (clip, seg), fs in segments.items():
        kept = [f["frame_index"] for f in fs if f"{clip}/{f['frame_index']}" not in removed]
        runs, start = [], None
        for i, k in enumerate(kept):
            if start is None:
                start = k
            if i + 1 == len(kept) or kept[i + 1] != k + 1:
                runs.append((start, k))
                start = None
        for a, b in runs:
            s = a
            while s + length - 1 <= b:
                out.append(f"{clip}/{seg}/{s}/{s + length - 1}")
                s += hop
    return sorted(out)


together_removed = curate(together)
report = {
    "frames": len(frames),
    "together_shifts": {c: clip_shift(together, c) for c in sorted({k[0] for k in segments})},
    "segments": {f"{k[0]}/{k[1]}": len(v) for k, v in segments.items()},
    "alone": {name: {"limit": alone[name], "removed": curate({name: alone[name]})}
              for name in ORDER},
    "together": {"limits": together, "removed": together_removed,
                 "windows_2s_hop_1s": windows(together_removed, 50, 25)},
    "blur_then_runs": {"limits": {"sharpness": alone["sharpness"], "segment_length": 1.0},
                       "removed": curate({"sharpness": alone["sharpness"],
                                          "segment_length": 1.0})},
}
print(json.dumps(report))
