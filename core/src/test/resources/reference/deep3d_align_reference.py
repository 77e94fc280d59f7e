"""Reference for talkset's Align5: Deep3DFaceRecon_pytorch's align_img (util/preprocess.py) with
rescale factor 102 and target size 224, written out again from its formulas with numpy and PIL.
Usage: deep3d_align_reference.py CASES.json OUTDIR

Each case has "width", "height" and either "lm5" (10 numbers) or "lm68" (136 numbers, dlib order,
reduced to five points as the reference's extract_5p does); landmarks are in image pixels, y down.
A case with "image" also gets OUTDIR/<i>.src.rgb (the decoded picture) and OUTDIR/<i>.crop.rgb
(the 224x224 crop made with PIL's bicubic resize, then crop), raw RGB bytes.
Writes OUTDIR/result.json: one object per case.
"""
import json
import sys

import numpy as np
from PIL import Image

SIZE = 224.0
RESCALE = 102.0

# The five standard points load_lm3d derives from BFM/similarity_Lm3D_all.mat (the .mat itself is
# not redistributable; these are the values printed by ports of the code).
LM3D_STD = np.array([
    [-0.31148657, 0.29036078, 0.13377953],
    [0.30979887, 0.28972036, 0.13179526],
    [0.0032535, -0.04617932, 0.55244243],
    [-0.25216928, -0.38133916, 0.22405732],
    [0.2484662, -0.38128236, 0.22235769],
])


def five_from_68(lm):
    # Eye centres from the two corners of each eye (1-based 37/40 and 43/46), nose tip 31,
    # mouth corners 49 and 55.
    return np.stack([(lm[36] + lm[39]) / 2, (lm[42] + lm[45]) / 2, lm[30], lm[48], lm[54]])


def pos_fit(pts2d, pts3d):
    """Least squares for u = R1.X + sTx, v = R2.X + sTy; returns (tx, ty, scale)."""
    n = pts3d.shape[0]
    a = np.zeros((2 * n, 8))
    a[0::2, 0:3] = pts3d
    a[0::2, 3] = 1
    a[1::2, 4:7] = pts3d
    a[1::2, 7] = 1
    k = np.linalg.lstsq(a, pts2d.reshape(-1), rcond=None)[0]
    scale = (np.linalg.norm(k[0:3]) + np.linalg.norm(k[4:7])) / 2
    return k[3], k[7], scale


def window(w0, h0, tx, ty, s):
    w = np.int32(w0 * s)
    h = np.int32(h0 * s)
    left = np.int32(w / 2 - SIZE / 2 + (tx - w0 / 2) * s)
    up = np.int32(h / 2 - SIZE / 2 + (h0 / 2 - ty) * s)
    return int(w), int(h), int(left), int(up)


def pil_crop(img, w, h, left, up):
    small = img.resize((w, h), resample=Image.BICUBIC)
    return small.crop((left, up, left + int(SIZE), up + int(SIZE)))


def measured_map(w0, h0, w, h, left, up):
    """Which source point PIL samples for each crop pixel, read off resized coordinate ramps
    (cubic weights sum to one and are symmetric, so a linear ramp comes through unchanged away
    from the borders). Returns rows of u, v, x, y."""
    xs = np.tile(np.arange(w0, dtype=np.float32), (h0, 1))
    ys = np.tile(np.arange(h0, dtype=np.float32)[:, None], (1, w0))
    cx = np.asarray(pil_crop(Image.fromarray(xs, mode="F"), w, h, left, up))
    cy = np.asarray(pil_crop(Image.fromarray(ys, mode="F"), w, h, left, up))
    rows = []
    margin = 3 + 2 * max(1.0, w0 / w)
    for v in range(0, int(SIZE), 13):
        for u in range(0, int(SIZE), 13):
            x, y = float(cx[v, u]), float(cy[v, u])
            # Inside, away from the clamped kernel at the borders (outside reads as 0).
            if margin < x < w0 - 1 - margin and margin < y < h0 - 1 - margin:
                rows.append([u, v, x, y])
    return rows


def run(case, i, outdir):
    w0, h0 = case["width"], case["height"]
    if "lm68" in case:
        lm = five_from_68(np.array(case["lm68"], dtype=np.float64).reshape(68, 2))
    else:
        lm = np.array(case["lm5"], dtype=np.float64).reshape(5, 2)
    flipped = np.stack([lm[:, 0], h0 - 1 - lm[:, 1]], axis=1)
    tx, ty, fit_scale = pos_fit(flipped, LM3D_STD)
    s = RESCALE / fit_scale
    w, h, left, up = window(w0, h0, tx, ty, s)
    # align_img's landmarks for the crop (y up).
    lm_new = np.stack([flipped[:, 0] - tx + w0 / 2, flipped[:, 1] - ty + h0 / 2], axis=1) * s
    lm_new = lm_new - np.array([w / 2 - SIZE / 2, h / 2 - SIZE / 2])
    out = {
        "lm5": lm.reshape(-1).tolist(), "fit_scale": float(fit_scale), "scale": float(s),
        "tx": float(tx), "ty": float(ty), "w": w, "h": h, "left": left, "up": up,
        "lm_new": lm_new.reshape(-1).tolist(),
        "map": measured_map(w0, h0, w, h, left, up),
    }
    if "image" in case:
        img = Image.open(case["image"]).convert("RGB")
        assert img.size == (w0, h0), (img.size, w0, h0)
        with open(f"{outdir}/{i}.src.rgb", "wb") as f:
            f.write(img.tobytes())
        with open(f"{outdir}/{i}.crop.rgb", "wb") as f:
            f.write(pil_crop(img, w, h, left, up).tobytes())
    return out


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = [run(c, i, sys.argv[2]) for i, c in enumerate(cases)]
    with open(f"{sys.argv[2]}/result.json", "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
