# Runs the ONNX graphs talkset generates from tfjs graph models (bin/gpu-check-graphs prepares
# DIR: the graphs, 16 real face crops per graph and @tensorflow/tfjs 4.22's outputs on them) node by
# node with PyTorch on CUDA, TF32 off: an engine independent of ONNX Runtime, on the GPU. Compares
# with tfjs and with ONNX Runtime on CPU; exit 1 when CUDA is further from tfjs than the CPU test
# allows (1e-4, or 1e-6 of the largest value for pixel outputs). Usage: cd DIR; python3 THIS
import sys, time, numpy as np, onnx, torch, torch.nn.functional as F
from onnx import numpy_helper
import onnxruntime as ort
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
DT = {1: torch.float32, 6: torch.int32, 7: torch.int64, 11: torch.float64}

def attrs(n):
    return {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}

def run(model, x, dev):
    g = model.graph
    env = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()).to(dev) for i in g.initializer}
    env[g.input[0].name] = torch.from_numpy(x).to(dev)
    seen = set()
    for n in g.node:
        a = attrs(n); i = [env[k] if k else None for k in n.input]; op = n.op_type; seen.add(op)
        if op == "Transpose": y = i[0].permute(*a["perm"]).contiguous()
        elif op == "Conv":
            p = a.get("pads", [0, 0, 0, 0]); xx = i[0]
            if any(p): xx = F.pad(xx, (p[1], p[3], p[0], p[2]))
            y = F.conv2d(xx, i[1], i[2] if len(i) > 2 else None, stride=a.get("strides", [1, 1]),
                         dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
        elif op == "MaxPool":
            p = a.get("pads", [0, 0, 0, 0]); xx = i[0]
            if any(p): xx = F.pad(xx, (p[1], p[3], p[0], p[2]), value=float("-inf"))
            y = F.max_pool2d(xx, a["kernel_shape"], a.get("strides", a["kernel_shape"]))
        elif op == "PRelu": y = torch.where(i[0] >= 0, i[0], i[0] * i[1])
        elif op == "Relu": y = torch.relu(i[0])
        elif op == "Add": y = i[0] + i[1]
        elif op == "Sub": y = i[0] - i[1]
        elif op == "Mul": y = i[0] * i[1]
        elif op == "Abs": y = i[0].abs()
        elif op == "Sqrt": y = i[0].sqrt()
        elif op == "Reciprocal": y = 1 / i[0]
        elif op == "Sigmoid": y = torch.sigmoid(i[0])
        elif op == "Identity": y = i[0]
        elif op == "Max":
            y = i[0]
            for t in i[1:]: y = torch.maximum(y, t)
        elif op == "Cast": y = i[0].to(DT[a["to"]])
        elif op == "MatMul": y = i[0] @ i[1]
        elif op == "Pad":
            pads = [int(v) for v in i[1].tolist()]; r = len(pads) // 2
            tp = []
            for d in reversed(range(r)): tp += [pads[d], pads[d + r]]
            val = float(i[2].item()) if len(i) > 2 and i[2] is not None else 0.0
            assert a.get("mode", b"constant") in (b"constant", "constant")
            y = F.pad(i[0], tp, value=val)
        elif op == "Reshape":
            shp = [int(v) for v in i[1].tolist()]
            shp = [i[0].shape[k] if s == 0 else s for k, s in enumerate(shp)]
            y = i[0].reshape(shp)
        elif op == "Squeeze":
            axes = [int(v) for v in i[1].tolist()] if len(i) > 1 and i[1] is not None else a.get("axes")
            y = i[0]
            for ax in sorted([ax % i[0].dim() for ax in axes], reverse=True): y = y.squeeze(ax)
        elif op == "ReduceSum":
            axes = [int(v) for v in i[1].tolist()] if len(i) > 1 and i[1] is not None else a.get("axes")
            y = i[0].sum(dim=axes, keepdim=bool(a.get("keepdims", 1)))
        else: raise SystemExit("op not in this interpreter: " + op)
        env[n.output[0]] = y
    return [env[o.name].cpu().numpy() for o in g.output], [o.name for o in g.output], seen

def load(d, k):
    shape = [int(v) for v in open(f"{d}/out_{k}.shape").read().split()]
    return np.fromfile(f"{d}/out_{k}.f32", dtype="<f4").reshape(shape)

print("torch", torch.__version__, torch.cuda.get_device_name(0), "| onnxruntime", ort.__version__)
ok = True
for name, inp, refdir, refnames in [("facemesh", "fm_in.npy", "fm_out", ["output_mesh", "output_faceflag", "output_contours"]),
                                    ("mobilefacenet", "mf_in.npy", "mf_out", ["embeddings"])]:
    m = onnx.load(name + ".onnx"); x = np.load(inp)
    gpu, names, ops = run(m, x, "cuda")
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(10): run(m, x, "cuda")
    torch.cuda.synchronize(); ms = (time.perf_counter() - t) / 10 * 1000
    s = ort.InferenceSession(name + ".onnx", providers=["CPUExecutionProvider"])
    cpu = s.run(names, {s.get_inputs()[0].name: x})
    print(f"{name}: {len(m.graph.node)} nodes ({', '.join(sorted(ops))}); batch 16 on CUDA in {ms:.1f} ms (interpreted)")
    for k, o in enumerate(names):
        ref = load(refdir, refnames.index(o)).reshape(gpu[k].shape)
        big = float(np.abs(ref).max()); bound = max(1e-4, 1e-6 * big)
        dg = float(np.abs(gpu[k] - ref).max()); dc = float(np.abs(cpu[k] - ref).max()); dgc = float(np.abs(gpu[k] - cpu[k]).max())
        print(f"  {o} {tuple(gpu[k].shape)}: largest |value| {big:.3g}; max |cuda - tfjs| {dg:.3g}, |ort cpu - tfjs| {dc:.3g}, |cuda - ort cpu| {dgc:.3g} (bound {bound:.3g})")
        ok &= dg <= bound
print("PASS" if ok else "FAIL"); sys.exit(0 if ok else 1)
