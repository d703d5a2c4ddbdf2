"""Write tests/fixtures/nn/: forward and backward references of nn layers, made by PyTorch.

Run with torch installed: python packages/core/tools/make_nn_fixtures.py

``layers.json`` lists the cases: each names a module (or a functional) with its
constructor arguments, its inputs, and which extra checks apply; ``layers.npz`` holds the
arrays: ``<case>/in<i>`` inputs, ``<case>/sd/<key>`` the state_dict loaded into the module
before the forward, ``<case>/sd_after/<key>`` after it (running statistics, renormed
embeddings), ``<case>/out`` the output, ``<case>/gout`` the upstream gradient, and
``<case>/grad/in<i>``, ``<case>/grad/<param>`` the gradients. ``meta.json`` holds reprs,
state_dict keys of composite models and init gains. Everything is float64 unless noted.
"""

import json
import pathlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "nn"
RNG = np.random.default_rng(1234)


def randn(*shape, scale=1.0):
    return RNG.standard_normal(shape) * scale


def T(name):
    """A reference to an array argument of the case (for losses' weight, pos_weight, ...)."""
    return {"tensor": name}


CASES = []


def case(name, target, args=(), kwargs=None, inputs=(), *, kind="module", train=True,
         grads=True, pre=None, tensors=None, tol=None, after=False, steps=1, gi=None):
    """inputs: arrays; gi: indices of the inputs that get gradients (default: the float ones);
    pre: {input index: 'log_softmax:2' | ...}, applied after the leaf."""
    CASES.append(dict(name=name, target=target, args=list(args), kwargs=kwargs or {},
                      inputs=list(inputs), kind=kind, train=train, grads=grads, pre=pre or {},
                      tensors=tensors or {}, tol=tol, after=after, steps=steps, gi=gi))


def x35(scale=2.0):
    return randn(3, 5, scale=scale)


# -- activations ----------------------------------------------------------------------------
for spec in [("ReLU", []), ("ReLU6", []), ("LeakyReLU", [0.2]), ("PReLU", []),
             ("ELU", [0.7]), ("SELU", []), ("CELU", [1.3]), ("GELU", []), ("SiLU", []),
             ("Mish", []), ("Sigmoid", []), ("Tanh", []), ("Hardtanh", [-0.5, 0.8]),
             ("Hardswish", []), ("Hardsigmoid", []), ("Softplus", [2.0, 5.0]), ("Softsign", []),
             ("Softshrink", [0.3]), ("Hardshrink", [0.3]), ("Tanhshrink", []),
             ("Threshold", [0.1, -2.0]), ("LogSigmoid", []), ("Softmax", [1]),
             ("Softmax", [0]), ("Softmin", [1]), ("LogSoftmax", [1])]:
    # PyTorch's CELU backward rounds 1/alpha through float32: compare at 1e-6
    case(f"{spec[0]}_{len(CASES)}", spec[0], spec[1], inputs=[randn(3, 5, scale=4.0)],
         tol={"rtol": 1e-6, "atol": 1e-9} if spec[0] == "CELU" else None)
case("GELU_tanh", "GELU", kwargs={"approximate": "tanh"}, inputs=[randn(3, 5, scale=3.0)])
case("PReLU_channels", "PReLU", [5], {"init": 0.1}, inputs=[randn(3, 5, 2)])
case("RReLU_eval", "RReLU", [0.1, 0.3], inputs=[randn(3, 5)], train=False)
case("GLU_dim1", "GLU", [1], inputs=[randn(3, 6)])
case("LogSoftmax_3d", "LogSoftmax", [-1], inputs=[randn(2, 3, 4)])
case("Softmax2d", "Softmax2d", inputs=[randn(2, 3, 2, 2)])
case("ReLU_inplace", "ReLU", [True], inputs=[randn(3, 5)], pre={"0": "mul:1"})
case("ELU_inplace", "ELU", [1.0, True], inputs=[randn(3, 5)], pre={"0": "mul:1"})

# -- linear -----------------------------------------------------------------------------------
case("Linear", "Linear", [5, 4], inputs=[x35()])
case("Linear_nobias", "Linear", [5, 4, False], inputs=[x35()])
case("Linear_3d", "Linear", [5, 4], inputs=[randn(2, 3, 5)])
case("Linear_1d", "Linear", [5, 4], inputs=[randn(5)])
case("Bilinear", "Bilinear", [3, 4, 2], inputs=[randn(5, 3), randn(5, 4)])
case("Identity", "Identity", [3, "ignored"], inputs=[x35()])

# -- normalisation ----------------------------------------------------------------------------
case("BatchNorm1d", "BatchNorm1d", [5], inputs=[randn(6, 5) + 1], after=True)
case("BatchNorm1d_3d", "BatchNorm1d", [4], {"momentum": 0.3}, inputs=[randn(3, 4, 6)],
     after=True)
case("BatchNorm2d", "BatchNorm2d", [3], inputs=[randn(2, 3, 4, 4) * 2], after=True)
case("BatchNorm2d_eval", "BatchNorm2d", [3], inputs=[randn(2, 3, 4, 4)], train=False,
     tensors={"sd/running_mean": randn(3), "sd/running_var": np.abs(randn(3)) + 0.5})
case("BatchNorm2d_cumulative", "BatchNorm2d", [3], {"momentum": None},
     inputs=[randn(2, 3, 3, 3)], after=True, steps=3)
case("BatchNorm1d_noaffine", "BatchNorm1d", [5], {"affine": False}, inputs=[randn(6, 5)],
     after=True)
case("BatchNorm1d_nostats", "BatchNorm1d", [5], {"track_running_stats": False},
     inputs=[randn(6, 5)])
case("BatchNorm1d_nostats_eval", "BatchNorm1d", [5], {"track_running_stats": False},
     inputs=[randn(6, 5)], train=False)
case("LayerNorm", "LayerNorm", [5], inputs=[randn(3, 5) * 3 + 1])
case("LayerNorm_2d_nobias", "LayerNorm", [[3, 4]], {"bias": False}, inputs=[randn(2, 3, 4)])
case("LayerNorm_noaffine", "LayerNorm", [4], {"elementwise_affine": False},
     inputs=[randn(2, 3, 4)])
case("GroupNorm", "GroupNorm", [2, 4], inputs=[randn(3, 4, 5)])
case("GroupNorm_4d", "GroupNorm", [3, 6], {"eps": 1e-3}, inputs=[randn(2, 6, 2, 2)])
case("InstanceNorm1d", "InstanceNorm1d", [4], inputs=[randn(3, 4, 6)])
case("InstanceNorm2d_affine_stats", "InstanceNorm2d", [3],
     {"affine": True, "track_running_stats": True}, inputs=[randn(2, 3, 4, 4)], after=True)
case("InstanceNorm2d_eval_stats", "InstanceNorm2d", [3],
     {"affine": True, "track_running_stats": True}, inputs=[randn(2, 3, 4, 4)], train=False,
     tensors={"sd/running_mean": randn(3), "sd/running_var": np.abs(randn(3)) + 0.5})
case("RMSNorm", "RMSNorm", [5], inputs=[randn(3, 5)])
case("RMSNorm_eps", "RMSNorm", [[2, 5]], {"eps": 1e-3}, inputs=[randn(3, 2, 5)])
case("LocalResponseNorm", "LocalResponseNorm", [3], inputs=[randn(2, 5, 4)])
case("LocalResponseNorm_4d", "LocalResponseNorm", [4, 1e-2, 0.5, 2.0],
     inputs=[randn(2, 6, 3, 3)])

# -- embeddings -------------------------------------------------------------------------------
idx = np.array([[1, 2, 4, 5], [4, 3, 2, 9], [2, 2, 0, 7]])
case("Embedding", "Embedding", [10, 4], inputs=[idx])
case("Embedding_padding", "Embedding", [10, 4], {"padding_idx": 2}, inputs=[idx])
case("Embedding_max_norm", "Embedding", [10, 4], {"max_norm": 1.0}, inputs=[idx], after=True)
case("Embedding_freq", "Embedding", [10, 4], {"scale_grad_by_freq": True}, inputs=[idx])
bag = np.array([1, 2, 4, 5, 4, 3, 2, 9, 2, 0])
offsets = np.array([0, 4, 4, 7])
for mode in ("sum", "mean", "max"):
    case(f"EmbeddingBag_{mode}", "EmbeddingBag", [10, 3], {"mode": mode},
         inputs=[bag, offsets])
    case(f"EmbeddingBag_2d_{mode}", "EmbeddingBag", [10, 3], {"mode": mode}, inputs=[idx])
case("EmbeddingBag_psw", "EmbeddingBag", [10, 3], {"mode": "sum"},
     inputs=[bag, offsets, randn(10)])
case("EmbeddingBag_padding", "EmbeddingBag", [10, 3], {"mode": "mean", "padding_idx": 2},
     inputs=[bag, offsets])
case("EmbeddingBag_last_offset", "EmbeddingBag", [10, 3],
     {"mode": "sum", "include_last_offset": True}, inputs=[bag, np.array([0, 4, 4, 7, 10])])

# -- shape and distance -----------------------------------------------------------------------
case("Flatten", "Flatten", inputs=[randn(2, 3, 4)])
case("Flatten_range", "Flatten", [0, 1], inputs=[randn(2, 3, 4)])
case("Unflatten", "Unflatten", [1, [2, 3]], inputs=[randn(4, 6)])
case("CosineSimilarity", "CosineSimilarity", inputs=[randn(3, 5), randn(3, 5)])
case("CosineSimilarity_bcast", "CosineSimilarity", [-1, 1e-6],
     inputs=[randn(2, 3, 5), randn(3, 5)])
for p in (1.0, 2.0, 3.0):
    case(f"PairwiseDistance_p{p}", "PairwiseDistance", [p], inputs=[randn(3, 5), randn(3, 5)])
case("PairwiseDistance_keepdim", "PairwiseDistance", [2.0, 1e-4, True],
     inputs=[randn(3, 5), randn(3, 5)])
case("ChannelShuffle", "ChannelShuffle", [2], inputs=[randn(2, 4, 3, 3)])

# -- losses -----------------------------------------------------------------------------------
cls_target = np.array([0, 4, 2])
_plain_case = case


def case(*args, gi=(0,), **kwargs):  # noqa: F811  (losses: gradients w.r.t. input 0)
    _plain_case(*args, gi=list(gi), **kwargs)


for red in ("mean", "sum", "none"):
    kw = {"reduction": red}
    case(f"L1Loss_{red}", "L1Loss", kwargs=kw, inputs=[x35(), x35()], gi=(0, 1))
    case(f"MSELoss_{red}", "MSELoss", kwargs=kw, inputs=[x35(), x35()], gi=(0, 1))
    case(f"SmoothL1Loss_{red}", "SmoothL1Loss", kwargs={**kw, "beta": 0.5},
         inputs=[x35(), x35()])
    case(f"HuberLoss_{red}", "HuberLoss", kwargs={**kw, "delta": 0.7}, inputs=[x35(), x35()])
    case(f"CrossEntropyLoss_{red}", "CrossEntropyLoss", kwargs=kw, inputs=[x35(), cls_target])
    case(f"CrossEntropyLoss_weight_{red}", "CrossEntropyLoss",
         kwargs={**kw, "weight": T("w")}, inputs=[x35(), cls_target],
         tensors={"w": np.abs(randn(5)) + 0.2})
    case(f"CrossEntropyLoss_ignore_{red}", "CrossEntropyLoss",
         kwargs={**kw, "ignore_index": 4}, inputs=[x35(), cls_target])
    case(f"CrossEntropyLoss_smooth_{red}", "CrossEntropyLoss",
         kwargs={**kw, "label_smoothing": 0.2}, inputs=[x35(), cls_target])
    case(f"CrossEntropyLoss_smooth_weight_ignore_{red}", "CrossEntropyLoss",
         kwargs={**kw, "label_smoothing": 0.15, "weight": T("w"), "ignore_index": 2},
         inputs=[x35(), cls_target], tensors={"w": np.abs(randn(5)) + 0.2})
    case(f"CrossEntropyLoss_probs_{red}", "CrossEntropyLoss", kwargs=kw,
         inputs=[x35(), np.abs(x35())], pre={"1": "softmax:1"})
    case(f"CrossEntropyLoss_probs_smooth_weight_{red}", "CrossEntropyLoss",
         kwargs={**kw, "label_smoothing": 0.1, "weight": T("w")},
         inputs=[x35(), x35()], pre={"1": "softmax:1"}, tensors={"w": np.abs(randn(5)) + 0.2})
    case(f"CrossEntropyLoss_kdim_{red}", "CrossEntropyLoss", kwargs={**kw, "ignore_index": 1},
         inputs=[randn(2, 4, 3, 3), RNG.integers(0, 4, (2, 3, 3))])
    case(f"NLLLoss_{red}", "NLLLoss", kwargs=kw, inputs=[x35(), cls_target],
         pre={"0": "log_softmax:1"})
    case(f"NLLLoss_weight_ignore_{red}", "NLLLoss",
         kwargs={**kw, "weight": T("w"), "ignore_index": 0}, inputs=[x35(), cls_target],
         tensors={"w": np.abs(randn(5)) + 0.2})
    case(f"NLLLoss_kdim_{red}", "NLLLoss", kwargs=kw,
         inputs=[randn(2, 4, 5), RNG.integers(0, 4, (2, 5))])
    case(f"BCELoss_{red}", "BCELoss", kwargs={**kw, "weight": T("w")},
         inputs=[x35(), RNG.random((3, 5))], pre={"0": "sigmoid"},
         tensors={"w": np.abs(randn(5))})
    case(f"BCEWithLogitsLoss_{red}", "BCEWithLogitsLoss",
         kwargs={**kw, "weight": T("w"), "pos_weight": T("pw")},
         inputs=[x35(3.0), RNG.random((3, 5))], tensors={"w": np.abs(randn(5)),
                                                         "pw": np.abs(randn(5)) + 0.5})
    case(f"BCEWithLogitsLoss_plain_{red}", "BCEWithLogitsLoss", kwargs=kw,
         inputs=[x35(3.0), RNG.random((3, 5))])
    case(f"PoissonNLLLoss_{red}", "PoissonNLLLoss", kwargs=kw,
         inputs=[x35(), np.abs(x35())])
    case(f"PoissonNLLLoss_full_{red}", "PoissonNLLLoss",
         kwargs={**kw, "log_input": False, "full": True},
         inputs=[np.abs(x35()) + 0.1, np.abs(x35(3.0))])
    case(f"GaussianNLLLoss_{red}", "GaussianNLLLoss", kwargs={**kw, "full": True},
         inputs=[x35(), x35(), np.abs(x35()) + 0.1], gi=(0, 2))
    case(f"GaussianNLLLoss_homo_{red}", "GaussianNLLLoss", kwargs=kw,
         inputs=[x35(), x35(), np.abs(randn(3)) + 0.1])
    case(f"CosineEmbeddingLoss_{red}", "CosineEmbeddingLoss", kwargs={**kw, "margin": 0.2},
         inputs=[x35(), x35(), np.array([1.0, -1.0, -1.0])], gi=(0, 1))
    case(f"MarginRankingLoss_{red}", "MarginRankingLoss", kwargs={**kw, "margin": 0.1},
         inputs=[randn(6), randn(6), np.array([1.0, -1.0, 1.0, -1.0, 1.0, 1.0])], gi=(0, 1))
    case(f"HingeEmbeddingLoss_{red}", "HingeEmbeddingLoss", kwargs={**kw, "margin": 1.5},
         inputs=[x35(), np.sign(randn(3, 5))])
    case(f"MultiLabelMarginLoss_{red}", "MultiLabelMarginLoss", kwargs=kw,
         inputs=[x35(), np.array([[3, 0, -1, 1, 2], [0, 1, 2, 3, 4], [4, -1, 0, 0, 0]])])
    case(f"MultiLabelSoftMarginLoss_{red}", "MultiLabelSoftMarginLoss",
         kwargs={**kw, "weight": T("w")}, inputs=[x35(), (randn(3, 5) > 0) * 1.0],
         tensors={"w": np.abs(randn(5))})
    case(f"MultiMarginLoss_{red}", "MultiMarginLoss", kwargs=kw, inputs=[x35(), cls_target])
    case(f"MultiMarginLoss_p2_{red}", "MultiMarginLoss",
         kwargs={**kw, "p": 2, "margin": 0.7, "weight": T("w")}, inputs=[x35(), cls_target],
         tensors={"w": np.abs(randn(5))})
    case(f"SoftMarginLoss_{red}", "SoftMarginLoss", kwargs=kw,
         inputs=[x35(), np.sign(randn(3, 5))])
    case(f"TripletMarginLoss_{red}", "TripletMarginLoss", kwargs={**kw, "margin": 2.0},
         inputs=[x35(), x35(), x35()], gi=(0, 1, 2))
    case(f"TripletMarginLoss_swap_{red}", "TripletMarginLoss",
         kwargs={**kw, "p": 1.0, "swap": True}, inputs=[x35(), x35(), x35()], gi=(0, 1, 2))
    case(f"KLDivLoss_{red}", "KLDivLoss", kwargs=kw, inputs=[x35(), x35()], gi=(0, 1),
         pre={"0": "log_softmax:1", "1": "softmax:1"})
    case(f"KLDivLoss_logtarget_{red}", "KLDivLoss", kwargs={**kw, "log_target": True},
         inputs=[x35(), x35()], pre={"0": "log_softmax:1", "1": "log_softmax:1"})
    lengths = dict(tensors={"il": np.array([8, 6]), "tl": np.array([3, 2])})
    case(f"CTCLoss_{red}", "CTCLoss", kwargs=kw,
         inputs=[randn(8, 2, 5), np.array([[1, 2, 2], [3, 1, 0]]), np.array([8, 6]),
                 np.array([3, 2])], pre={"0": "log_softmax:2"})
    case(f"CTCLoss_concat_{red}", "CTCLoss", kwargs={**kw, "blank": 4},
         inputs=[randn(7, 3, 5), np.array([1, 2, 0, 3, 3, 1]), np.array([7, 7, 5]),
                 np.array([2, 3, 1])], pre={"0": "log_softmax:2"})
case("LinearCrossEntropyLoss", "LinearCrossEntropyLoss", [5, 4],
     {"bias": True, "label_smoothing": 0.1}, inputs=[x35(), np.array([0, 3, 2])])
case("LinearCrossEntropyLoss_kdim", "LinearCrossEntropyLoss", [5, 3],
     {"out_features": [2], "ignore_index": 1, "reduction": "none"},
     inputs=[x35(), np.array([[0, 1], [2, 2], [1, 0]])])
case("CrossEntropyLoss_1d", "CrossEntropyLoss", inputs=[randn(5), np.array(3)])
case("KLDivLoss_batchmean", "KLDivLoss", kwargs={"reduction": "batchmean"},
     inputs=[x35(), x35()], pre={"0": "log_softmax:1", "1": "softmax:1"})
case("CTCLoss_zero_infinity", "CTCLoss", kwargs={"zero_infinity": True, "reduction": "sum"},
     inputs=[randn(3, 2, 4), np.array([[1, 1, 2], [3, 2, 1]]), np.array([3, 3]),
             np.array([3, 1])], pre={"0": "log_softmax:2"})
case("TripletMarginWithDistanceLoss", "TripletMarginWithDistanceLoss",
     kwargs={"margin": 1.5, "swap": True}, inputs=[x35(), x35(), x35()], gi=(0, 1, 2))

case = _plain_case

# -- functionals ------------------------------------------------------------------------------
case("F_normalize", "normalize", inputs=[x35()], kind="functional")
case("F_normalize_p1", "normalize", kwargs={"p": 1.0, "dim": 0}, inputs=[x35()],
     kind="functional")
case("F_pdist", "pdist", inputs=[randn(4, 3)], kind="functional")
case("F_pdist_p1", "pdist", kwargs={"p": 1.0}, inputs=[randn(4, 3)], kind="functional")
case("F_linear", "linear", inputs=[x35(), randn(2, 5), randn(2)], kind="functional")
case("F_bilinear", "bilinear", inputs=[randn(4, 3), randn(4, 2), randn(5, 3, 2)],
     kind="functional")
case("F_softmax_dtype", "softmax", kwargs={"dim": 1, "dtype": "float64"},
     inputs=[x35()], kind="functional")
case("F_one_hot", "one_hot", kwargs={"num_classes": 6}, inputs=[idx % 6], kind="functional")
case("F_cosine_similarity", "cosine_similarity", kwargs={"dim": 0},
     inputs=[randn(4, 3), randn(4, 1)], kind="functional")
case("F_gelu", "gelu", inputs=[randn(4, 3, scale=3)], kind="functional")
case("F_embedding", "embedding", kwargs={"padding_idx": 0},
     inputs=[idx, randn(10, 3)], kind="functional")
case("F_local_response_norm", "local_response_norm", [2], inputs=[randn(2, 4, 3)],
     kind="functional")
case("F_glu", "glu", inputs=[randn(4, 6)], kind="functional")
case("F_logsigmoid_big", "logsigmoid", inputs=[randn(4, 3, scale=40)], kind="functional")
case("F_softplus_big", "softplus", inputs=[randn(4, 3, scale=40)], kind="functional")


def resolve(value, arrays):
    if isinstance(value, dict) and "tensor" in value:
        return torch.from_numpy(arrays[value["tensor"]])
    if isinstance(value, list):
        return [resolve(v, arrays) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, arrays) for k, v in value.items()}
    if value == "float64":
        return torch.float64
    return value


def apply_pre(t, op):
    name, _, arg = op.partition(":")
    if name == "log_softmax":
        return t.log_softmax(int(arg))
    if name == "softmax":
        return t.softmax(int(arg))
    if name == "sigmoid":
        return t.sigmoid()
    if name == "mul":
        return t * float(arg)
    raise ValueError(op)


def run(c, out):
    key = c["name"]
    arrays = dict(c["tensors"])
    args = resolve(c["args"], arrays)
    kwargs = resolve(c["kwargs"], arrays)
    leaves = []
    for i, a in enumerate(c["inputs"]):
        a = np.asarray(a)
        out[f"{key}/in{i}"] = a
        t = torch.from_numpy(a.copy())
        if t.is_floating_point() and c["grads"] and (c["gi"] is None or i in c["gi"]):
            t.requires_grad_(True)
        leaves.append(t)
    inputs = [apply_pre(t, c["pre"][str(i)]) if str(i) in c["pre"] else t
              for i, t in enumerate(leaves)]
    for name, a in arrays.items():
        out[f"{key}/t/{name}"] = np.asarray(a)
    if c["kind"] == "module":
        torch.manual_seed(len(out))
        mod = getattr(nn, c["target"])(*args, **kwargs).double()
        with torch.no_grad():
            for name, a in arrays.items():
                if name.startswith("sd/"):
                    mod.get_buffer(name[3:]).copy_(torch.from_numpy(a))
        mod.train(c["train"])
        sd = mod.state_dict()
        c["state_dict_keys"] = list(sd.keys())
        for k, v in sd.items():
            out[f"{key}/sd/{k}"] = v.detach().numpy().copy()
        for _ in range(c["steps"]):
            y = mod(*inputs)
        if c["after"]:
            for k, v in mod.state_dict().items():
                out[f"{key}/sd_after/{k}"] = v.detach().numpy().copy()
        params = dict(mod.named_parameters())
        c["repr"] = repr(mod)
    else:
        y = getattr(F, c["target"])(*inputs, *args, **kwargs)
        params = {}
    out[f"{key}/out"] = y.detach().numpy()
    if c["grads"] and y.is_floating_point() and y.requires_grad:
        gout = torch.from_numpy(np.asarray(RNG.standard_normal(y.shape)))
        out[f"{key}/gout"] = gout.numpy()
        targets = [t for t in leaves if t.requires_grad] + list(params.values())
        grads = torch.autograd.grad(y, targets, gout, allow_unused=True)
        names = [f"in{i}" for i, t in enumerate(leaves) if t.requires_grad] + list(params)
        for n, g in zip(names, grads):
            if g is not None:
                out[f"{key}/grad/{n}"] = g.numpy()
    c.pop("inputs")
    c.pop("tensors")


def composite_models():
    """state_dict keys and shapes of composite models built from this family's layers."""
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.norm = nn.LayerNorm(4)
            self.register_buffer("scale", torch.ones(4))
            self.register_buffer("cache", torch.zeros(2), persistent=False)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(10, 4, padding_idx=0)
            self.blocks = nn.ModuleList([Block() for _ in range(2)])
            self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
            self.bn = nn.BatchNorm1d(4)
            self.extra = nn.ParameterList([nn.Parameter(torch.zeros(2)), torch.ones(3)])
            self.pdict = nn.ParameterDict({"b": nn.Parameter(torch.zeros(1)),
                                           "a": nn.Parameter(torch.zeros(2, 2))})
            self.seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1),
                                     nn.Sequential(nn.Linear(8, 2), nn.GELU()))
            self.shared = self.seq[0]

    models = {
        "mlp": nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                             nn.Linear(512, 10)),
        "net": Net(),
        "norms": nn.Sequential(nn.BatchNorm2d(3), nn.InstanceNorm2d(3, affine=True,
                                                                     track_running_stats=True),
                               nn.GroupNorm(1, 3), nn.LayerNorm([3, 4], bias=False),
                               nn.RMSNorm(4), nn.PReLU(3), nn.Bilinear(2, 2, 2),
                               nn.EmbeddingBag(5, 2)),
        "losses": nn.ModuleDict({"ce": nn.CrossEntropyLoss(weight=torch.ones(3)),
                                 "bce": nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)),
                                 "tri": nn.TripletMarginWithDistanceLoss()}),
    }
    out = {}
    for name, m in models.items():
        out[name] = {
            "state_dict": [[k, list(v.shape)] for k, v in m.state_dict().items()],
            "named_parameters": [k for k, _ in m.named_parameters()],
            "named_buffers": [k for k, _ in m.named_buffers()],
            "named_modules": [k for k, _ in m.named_modules()],
            "named_children": [k for k, _ in m.named_children()],
            "repr": repr(m),
        }
    return out


REPRS = [
    "nn.Linear(3, 4)", "nn.Linear(3, 4, bias=False)", "nn.Bilinear(2, 3, 4)", "nn.Identity()",
    "nn.ReLU()", "nn.ReLU(inplace=True)", "nn.ReLU6(True)", "nn.LeakyReLU(0.2, True)",
    "nn.PReLU(3)", "nn.RReLU()", "nn.ELU(alpha=0.5)", "nn.SELU()", "nn.CELU()",
    "nn.GELU()", "nn.GELU(approximate='tanh')", "nn.SiLU()", "nn.Mish()", "nn.Sigmoid()",
    "nn.Tanh()", "nn.Hardtanh(-2.0, 2.0)", "nn.Hardswish()", "nn.Hardsigmoid()",
    "nn.Softplus()", "nn.Softsign()", "nn.Softshrink()", "nn.Hardshrink(0.3)",
    "nn.Tanhshrink()", "nn.Threshold(0.1, 20)", "nn.GLU()", "nn.LogSigmoid()",
    "nn.Softmax(dim=1)", "nn.Softmin()", "nn.LogSoftmax(-1)", "nn.Softmax2d()",
    "nn.BatchNorm1d(4)", "nn.BatchNorm2d(3, momentum=None, affine=False)",
    "nn.BatchNorm2d(3, track_running_stats=False, bias=False)", "nn.LayerNorm(4)",
    "nn.LayerNorm([2, 3], eps=1e-3, elementwise_affine=False)", "nn.GroupNorm(2, 4)",
    "nn.InstanceNorm1d(3)", "nn.InstanceNorm2d(3, affine=True)", "nn.RMSNorm(4)",
    "nn.RMSNorm([2, 3], eps=1e-4)", "nn.LocalResponseNorm(2)", "nn.Dropout()",
    "nn.Dropout(0.2, inplace=True)", "nn.Dropout1d()", "nn.Dropout2d(0.3)", "nn.AlphaDropout()",
    "nn.FeatureAlphaDropout(0.1)", "nn.Embedding(10, 3)",
    "nn.Embedding(10, 3, padding_idx=1, max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True)",
    "nn.EmbeddingBag(10, 3)", "nn.EmbeddingBag(10, 3, mode='max', padding_idx=0)",
    "nn.Flatten()", "nn.Unflatten(1, (2, 3))", "nn.CosineSimilarity()", "nn.PairwiseDistance()",
    "nn.ChannelShuffle(2)", "nn.L1Loss()", "nn.CrossEntropyLoss()", "nn.MSELoss()",
    "nn.TripletMarginWithDistanceLoss()", "nn.CTCLoss()",
    "nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Sequential(nn.Linear(2, 1)))",
    "nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), "
    "nn.Linear(2, 2)])",
    "nn.ModuleList()", "nn.ModuleDict({'a': nn.ReLU(), 'b': nn.Linear(1, 1)})",
    "nn.ParameterList([nn.Parameter(torch.zeros(2, 3)), torch.zeros(1)])",
    "nn.ParameterDict({'w': nn.Parameter(torch.zeros(2)), 'v': torch.zeros(1, 1)})",
    "nn.Sequential()",
]

TENSOR_REPRS = [
    "nn.Parameter(torch.tensor([1.0, -2.5, 3.25]))",
    "nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.5]]), requires_grad=False)",
    "nn.Parameter(torch.arange(20.0).reshape(4, 5) / 7)",
    "nn.Parameter(torch.zeros(2, dtype=torch.float64))",
]

GAINS = [["linear", None], ["conv2d", None], ["sigmoid", None], ["tanh", None],
         ["relu", None], ["leaky_relu", None], ["leaky_relu", 0.2], ["selu", None]]


def utils_fixtures(out):
    """nn.utils references: clipping, weight/spectral norm, packing, fusion."""
    info = {}
    # clip_grad_norm_ / clip_grad_value_
    for norm_type in (2.0, 1.0, float("inf"), 3.0):
        grads = [randn(3, 4), randn(5), randn(2, 2)]
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.copy())
        total = nn.utils.clip_grad_norm_(params, 0.7, norm_type=norm_type)
        key = f"utils/clip_norm_{norm_type}"
        for i, (g, p) in enumerate(zip(grads, params)):
            out[f"{key}/grad{i}"] = g
            out[f"{key}/clipped{i}"] = p.grad.numpy()
        out[f"{key}/total"] = total.numpy()
    # weight_norm (parametrization) on a Linear, and spectral_norm
    torch.manual_seed(3)
    lin = nn.Linear(4, 3).double()
    nn.utils.parametrizations.weight_norm(lin, dim=0)
    x = torch.from_numpy(randn(2, 4)).requires_grad_()
    y = lin(x)
    gout = torch.from_numpy(randn(2, 3))
    y.backward(gout)
    info["weight_norm_keys"] = list(lin.state_dict().keys())
    for k, v in lin.state_dict().items():
        out[f"utils/weight_norm/sd/{k}"] = v.numpy()
    out["utils/weight_norm/x"] = x.detach().numpy()
    out["utils/weight_norm/y"] = y.detach().numpy()
    out["utils/weight_norm/gout"] = gout.numpy()
    out["utils/weight_norm/grad_x"] = x.grad.numpy()
    out["utils/weight_norm/grad_g"] = lin.parametrizations.weight.original0.grad.numpy()
    out["utils/weight_norm/grad_v"] = lin.parametrizations.weight.original1.grad.numpy()
    info["weight_norm_repr"] = repr(lin)
    torch.manual_seed(4)
    sn = nn.Linear(5, 4).double()
    nn.utils.parametrizations.spectral_norm(sn)
    info["spectral_norm_keys"] = list(sn.state_dict().keys())
    for k, v in sn.state_dict().items():
        out[f"utils/spectral_norm/sd/{k}"] = v.numpy().copy()
    x = torch.from_numpy(randn(3, 5))
    y = sn(x)  # training: one power iteration updates _u and _v
    out["utils/spectral_norm/x"] = x.numpy()
    out["utils/spectral_norm/y"] = y.detach().numpy()
    gout = torch.from_numpy(randn(3, 4))
    y.backward(gout)
    out["utils/spectral_norm/gout"] = gout.numpy()
    out["utils/spectral_norm/grad_w"] = sn.parametrizations.weight.original.grad.numpy()
    for k, v in sn.state_dict().items():
        out[f"utils/spectral_norm/sd_after/{k}"] = v.numpy().copy()
    sn.eval()
    out["utils/spectral_norm/y_eval"] = sn(x).detach().numpy()
    # the hook-based spectral_norm
    torch.manual_seed(6)
    old = nn.utils.spectral_norm(nn.Linear(5, 4).double())
    info["old_spectral_norm_keys"] = list(old.state_dict().keys())
    for k, v in old.state_dict().items():
        out[f"utils/old_spectral_norm/sd/{k}"] = v.numpy().copy()
    x = torch.from_numpy(randn(3, 5))
    out["utils/old_spectral_norm/x"] = x.numpy()
    out["utils/old_spectral_norm/y"] = old(x).detach().numpy()
    for k, v in old.state_dict().items():
        out[f"utils/old_spectral_norm/sd_after/{k}"] = v.numpy().copy()
    # packing
    seqs = [randn(4, 2), randn(2, 2), randn(3, 2)]
    padded = nn.utils.rnn.pad_sequence([torch.from_numpy(s) for s in seqs], batch_first=True)
    out["utils/pack/padded"] = padded.numpy()
    for i, s in enumerate(seqs):
        out[f"utils/pack/seq{i}"] = s
    left = nn.utils.rnn.pad_sequence([torch.from_numpy(s) for s in seqs], padding_value=-1.0,
                                     padding_side="left")
    out["utils/pack/padded_left"] = left.numpy()
    packed = nn.utils.rnn.pack_padded_sequence(padded, [4, 2, 3], batch_first=True,
                                               enforce_sorted=False)
    out["utils/pack/data"] = packed.data.numpy()
    out["utils/pack/batch_sizes"] = packed.batch_sizes.numpy()
    out["utils/pack/sorted_indices"] = packed.sorted_indices.numpy()
    out["utils/pack/unsorted_indices"] = packed.unsorted_indices.numpy()
    back, lengths = nn.utils.rnn.pad_packed_sequence(packed, total_length=5)
    out["utils/pack/back"] = back.numpy()
    out["utils/pack/lengths"] = lengths.numpy()
    # linear + batch norm fusion
    torch.manual_seed(5)
    lin, bn = nn.Linear(3, 4).double().eval(), nn.BatchNorm1d(4).double().eval()
    with torch.no_grad():
        bn.running_mean.copy_(torch.from_numpy(randn(4)))
        bn.running_var.copy_(torch.from_numpy(np.abs(randn(4)) + 0.5))
        bn.weight.copy_(torch.from_numpy(randn(4)))
        bn.bias.copy_(torch.from_numpy(randn(4)))
    fused = nn.utils.fuse_linear_bn_eval(lin, bn)
    for k, v in {**{f"lin/{k}": v for k, v in lin.state_dict().items()},
                 **{f"bn/{k}": v for k, v in bn.state_dict().items()},
                 **{f"fused/{k}": v for k, v in fused.state_dict().items()}}.items():
        out[f"utils/fuse/{k}"] = v.numpy()
    return info


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    arrays = {}
    for c in CASES:
        run(c, arrays)
    torch.set_default_dtype(torch.float32)
    utils_info = utils_fixtures(arrays)
    np.savez_compressed(OUT / "layers.npz", **arrays)
    (OUT / "layers.json").write_text(json.dumps(CASES, indent=1) + "\n")
    meta = {
        "utils": utils_info,
        "reprs": [[src, eval(src).__repr__()] for src in REPRS],
        "tensor_reprs": [[src, repr(eval(src))] for src in TENSOR_REPRS],
        "models": composite_models(),
        "gains": [[n, p, nn.init.calculate_gain(n, p)] for n, p in GAINS],
        "torch_version": torch.__version__,
    }
    text = json.dumps(meta, indent=1).replace("torch.", "ember.")
    (OUT / "meta.json").write_text(text + "\n")
    print(f"{len(CASES)} cases, {len(arrays)} arrays, "
          f"{(OUT / 'layers.npz').stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
