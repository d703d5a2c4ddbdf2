import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from _ember_nn_layer_cases import META, close

import ember
import ember.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)
        self.register_buffer("scale", ember.ones(4))
        self.register_buffer("cache", ember.zeros(2), persistent=False)


class Net(nn.Module):
    """The model of tools/make_nn_fixtures.py::composite_models ('net')."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4, padding_idx=0)
        self.blocks = nn.ModuleList([Block() for _ in range(2)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
        self.bn = nn.BatchNorm1d(4)
        self.extra = nn.ParameterList([nn.Parameter(ember.zeros(2)), ember.ones(3)])
        self.pdict = nn.ParameterDict({"b": nn.Parameter(ember.zeros(1)),
                                       "a": nn.Parameter(ember.zeros(2, 2))})
        self.seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Sequential(nn.Linear(8, 2), nn.GELU()))
        self.shared = self.seq[0]

    def forward(self, idx):
        h = self.embed(idx).mean(1)
        for block in self.blocks:
            h = block.norm(block.fc(h)) * block.scale
        return self.heads["cls"](self.bn(h)), self.seq(h)


def MODELS():
    return {
        "mlp": nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                             nn.Linear(512, 10)),
        "net": Net(),
        "norms": nn.Sequential(nn.BatchNorm2d(3), nn.InstanceNorm2d(3, affine=True,
                                                                     track_running_stats=True),
                               nn.GroupNorm(1, 3), nn.LayerNorm([3, 4], bias=False),
                               nn.RMSNorm(4), nn.PReLU(3), nn.Bilinear(2, 2, 2),
                               nn.EmbeddingBag(5, 2)),
        "losses": nn.ModuleDict({"ce": nn.CrossEntropyLoss(weight=ember.ones(3)),
                                 "bce": nn.BCEWithLogitsLoss(pos_weight=ember.ones(2)),
                                 "tri": nn.TripletMarginWithDistanceLoss()}),
    }


@pytest.mark.parametrize("name", ["mlp", "net", "norms", "losses"])
def test_composite_model_names_match_pytorch(name):
    m = MODELS()[name]
    expected = META["models"][name]
    assert [[k, list(v.shape)] for k, v in m.state_dict().items()] == expected["state_dict"]
    assert [k for k, _ in m.named_parameters()] == expected["named_parameters"]
    assert [k for k, _ in m.named_buffers()] == expected["named_buffers"]
    assert [k for k, _ in m.named_modules()] == expected["named_modules"]
    assert [k for k, _ in m.named_children()] == expected["named_children"]
    assert repr(m) == expected["repr"]


@pytest.mark.parametrize("src,expected", META["reprs"], ids=[r[0] for r in META["reprs"]])
def test_repr_matches_pytorch(src, expected):
    env = {"nn": nn, "ember": ember}
    assert repr(eval(src.replace("torch.", "ember."), env)) == expected


@pytest.mark.parametrize("src,expected", META["tensor_reprs"],
                         ids=[r[0] for r in META["tensor_reprs"]])
def test_parameter_repr_matches_pytorch(src, expected):
    env = {"nn": nn, "ember": ember}
    assert repr(eval(src.replace("torch.", "ember."), env)) == expected


def test_named_members_prefix_recurse_and_duplicates():
    m = Net()
    names = [n for n, _ in m.named_parameters(prefix="model")]
    assert names[0] == "model.embed.weight"
    assert "model.shared.weight" not in names  # shared module: listed once
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)].count("shared.weight") == 1
    assert [n for n, _ in m.named_parameters(recurse=False)] == []
    assert [n for n, _ in m.blocks[0].named_buffers()] == ["scale", "cache"]
    assert len(list(m.modules())) == len(list(m.named_modules()))
    assert len(list(m.named_modules(remove_duplicate=False))) == len(list(m.named_modules())) + 1
    assert "cache" not in m.blocks[0].state_dict()


def test_register_errors_and_attribute_rules():
    m = nn.Module()
    with pytest.raises(KeyError, match="buffer name can"):
        m.register_buffer("a.b", ember.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'ember.FloatTensor' object to parameter "
                                        "'w' \\(torch.nn.Parameter or None required\\)"):
        m.register_parameter("w", ember.zeros(1))
    m.w = nn.Parameter(ember.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'ember.FloatTensor' as parameter 'w'"):
        m.w = ember.zeros(1)
    m.w = None
    assert m.w is None and "w" in m._parameters
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_buffer("training", ember.zeros(1))
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'p'"):
        m.register_parameter("p", _non_leaf_parameter())
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'missing'"):
        _ = m.missing
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    m.sub = nn.Linear(1, 1)
    m.sub = None
    assert m.sub is None
    m.register_module("other", nn.ReLU())
    del m.other
    assert "other" not in m._modules
    m.buf = nn.Buffer(ember.ones(2), persistent=False)
    assert "buf" in m._buffers and "buf" not in m.state_dict()
    m.buf = ember.zeros(2)  # reassigning a registered buffer keeps it a buffer
    assert m._buffers["buf"].tolist() == [0.0, 0.0]


def _non_leaf_parameter():
    p = nn.Parameter(ember.zeros(1))
    q = p * 2
    q.__class__ = nn.Parameter
    return q


def test_get_submodule_parameter_buffer():
    m = Net()
    assert m.get_submodule("blocks.1.fc") is m.blocks[1].fc
    assert m.get_parameter("heads.cls.bias") is m.heads["cls"].bias
    assert m.get_buffer("bn.running_mean") is m.bn.running_mean
    with pytest.raises(AttributeError, match="Net has no attribute `nope`"):
        m.get_submodule("nope")
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        m.get_submodule("embed.weight")
    m.set_submodule("blocks.0.fc", nn.Identity())
    assert isinstance(m.blocks[0].fc, nn.Identity)


def test_apply_train_eval_requires_grad_zero_grad():
    m = Net()
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Net" and seen[0] == "Embedding"
    m.eval()
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    out, _ = m(ember.tensor([[1, 2], [3, 4]]))
    out.sum().backward()
    assert m.heads["cls"].weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m.heads["cls"].weight.grad.abs().sum().item() == 0
    m.zero_grad()
    assert m.heads["cls"].weight.grad is None


def test_to_and_type_conversions_keep_parameter_objects():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    w = m[0].weight
    m(ember.randn(4, 3)).sum().backward()
    m.double()
    assert m[0].weight is w and w.dtype == ember.float64 and w.grad.dtype == ember.float64
    assert m[1].num_batches_tracked.dtype == ember.int64  # integers keep their dtype
    assert m[1].running_mean.dtype == ember.float64
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.half()
    assert w.dtype == ember.float16
    m.bfloat16()
    assert w.dtype == ember.bfloat16
    m.float().to("cpu")
    m.to(ember.zeros(1, dtype=ember.float64))
    assert w.dtype == ember.float64
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        m.to(ember.int32)
    m.cpu()
    assert m[0].weight.device.type == "cpu"


def test_state_dict_roundtrip_and_load_errors():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert all(not v.requires_grad for v in sd.values())
    assert a.state_dict(keep_vars=True)["embed.weight"] is a.embed.weight
    result = b.load_state_dict(sd)
    assert repr(result) == "<All keys matched successfully>"
    for k, v in b.state_dict().items():
        assert v.equal(sd[k])
    # the copy keeps b's own Parameter objects
    assert b.embed.weight is not a.embed.weight
    bad = OrderedDict(sd)
    del bad["seq.0.bias"]
    bad["seq.9.weight"] = ember.zeros(1)
    bad["heads.cls.weight"] = ember.zeros(2, 2)
    with pytest.raises(RuntimeError) as info:
        b.load_state_dict(bad)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:\n\tMissing key(s) in "
                          "state_dict: \"seq.0.bias\". \n\tUnexpected key(s) in state_dict: "
                          "\"seq.9.weight\". \n\tsize mismatch for heads.cls.weight: copying a "
                          "param with shape ember.Size([2, 2]) from checkpoint, the shape in "
                          "current model is ember.Size([3, 4]).")
    del bad["heads.cls.weight"]
    result = b.load_state_dict(bad, strict=False)
    assert result.missing_keys == ["heads.cls.weight", "seq.0.bias"]  # module order
    assert result.unexpected_keys == ["seq.9.weight"]
    assert "IncompatibleKeys(missing_keys=" in repr(result)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        b.load_state_dict([1, 2])


def test_load_state_dict_assign():
    m = nn.Linear(2, 2)
    new = {"weight": ember.ones(2, 2, dtype=ember.float64), "bias": ember.zeros(2)}
    m.load_state_dict(new, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.dtype == ember.float64
    assert m.weight.requires_grad
    m2 = nn.Linear(2, 2)
    w = m2.weight
    m2.load_state_dict(new)
    assert m2.weight is w and w.dtype == ember.float32 and w.tolist() == [[1.0, 1.0]] * 2


def test_state_dict_hooks_and_load_hooks():
    m = nn.Linear(2, 2)
    calls = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: calls.append(("post", len(sd))))
    m.register_load_state_dict_pre_hook(
        lambda mod, sd, prefix, *rest: calls.append(("load_pre", sorted(sd))))

    def post(mod, keys):
        calls.append(("load_post", list(keys.missing_keys)))
        keys.missing_keys.clear()

    m.register_load_state_dict_post_hook(post)
    sd = m.state_dict()
    del sd["bias"]
    m.load_state_dict(sd)  # the post hook clears the missing key: no error
    assert calls == [("pre", ""), ("post", 2), ("load_pre", ["weight"]),
                     ("load_post", ["bias"])]


def test_extra_state():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 1

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    a, b = WithExtra(), WithExtra()
    a.value = 7
    sd = a.state_dict()
    assert sd["_extra_state"] == {"value": 7}
    b.load_state_dict(sd)
    assert b.value == 7


def test_forward_hooks():
    m = nn.Linear(2, 2)
    order = []

    def pre(mod, args):
        order.append("pre")
        return (args[0] * 0,)

    def pre_kw(mod, args, kwargs):
        order.append("pre_kw")
        return args, kwargs

    def post(mod, args, out):
        order.append("post")
        return out + 1

    def post_kw(mod, args, kwargs, out):
        order.append(("post_kw", kwargs))

    h1 = m.register_forward_pre_hook(pre)
    m.register_forward_pre_hook(pre_kw, with_kwargs=True, prepend=True)
    m.register_forward_hook(post)
    m.register_forward_hook(post_kw, with_kwargs=True)
    out = m(ember.ones(1, 2))
    assert order == ["pre_kw", "pre", "post", ("post_kw", {})]
    close(out, (m.bias + 1).detach().numpy().reshape(1, 2))
    h1.remove()
    order.clear()
    m(ember.ones(1, 2))
    assert order == ["pre_kw", "post", ("post_kw", {})]


def test_always_call_hook_runs_on_error():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Boom()
    seen = []
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError, match="boom"):
        m(1)
    assert seen == [None]


def test_global_hooks():
    seen = []
    handle = nn.modules.module.register_module_forward_hook(
        lambda mod, args, out: seen.append(type(mod).__name__))
    try:
        nn.Sequential(nn.ReLU())(ember.randn(2))
    finally:
        handle.remove()
    assert seen == ["ReLU", "Sequential"]
    nn.ReLU()(ember.randn(2))
    assert len(seen) == 2


def test_full_backward_hooks():
    m = nn.Linear(3, 2)
    x = ember.randn(4, 3, requires_grad=True)
    record = {}

    def pre_hook(mod, grad_output):
        record["pre"] = grad_output
        return (grad_output[0] * 2,)

    def hook(mod, grad_input, grad_output):
        record["hook"] = (grad_input, grad_output)
        return (grad_input[0] * 10,)

    m.register_full_backward_pre_hook(pre_hook)
    m.register_full_backward_hook(hook)
    out = m(x)
    out.backward(ember.ones(4, 2))
    grad_output = record["pre"][0]
    assert grad_output.tolist() == [[1.0, 1.0]] * 4
    grad_input, grad_output2 = record["hook"]
    close(grad_output2[0], np.full((4, 2), 2.0))
    expected = (ember.full((4, 2), 2.0) @ m.weight.detach())
    close(grad_input[0], expected.numpy(), rtol=1e-6)
    close(x.grad, (expected * 10).numpy(), rtol=1e-6)
    close(m.weight.grad, (ember.full((4, 2), 2.0).T @ x.detach()).numpy(), rtol=1e-6)


def test_full_backward_hook_without_input_grad_and_with_non_tensor_args():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(ember.ones(3))

        def forward(self, x, factor):
            return x * factor * self.w

    m = Scale()
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    x = ember.randn(3)
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are "
                                         "computed with respect to module outputs"):
        m(x, 2.0).sum().backward()
    gi, go = seen[0]
    assert gi == (None, None) and go[0].shape == (3,)
    seen.clear()
    x.requires_grad_()
    m(x, 2.0).sum().backward()
    gi, go = seen[0]
    assert gi[1] is None and gi[0].tolist() == [2.0, 2.0, 2.0]
    # no output requires grad: the hook does not fire
    seen.clear()
    with ember.no_grad():
        m(x, 2.0)
    assert seen == []


def test_cannot_mix_backward_hook_kinds():
    m = nn.ReLU()
    m.register_full_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
        m.register_backward_hook(lambda *a: None)


def test_sequential_api():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
    s = nn.Sequential(*layers)
    assert s[0] is layers[0] and s[-1] is layers[2] and len(s) == 3
    sliced = s[1:]
    assert isinstance(sliced, nn.Sequential) and list(sliced._modules) == ["1", "2"]
    s.append(nn.Sigmoid())
    s.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in s] == ["Linear", "Tanh", "ReLU", "Linear", "Sigmoid"]
    s.extend([nn.Identity()])
    del s[1]
    assert list(s._modules) == ["0", "1", "2", "3", "4"]
    assert s.pop(1) is layers[1]
    s[0] = nn.Linear(2, 2)
    assert s[0] is not layers[0]
    t = s + nn.Sequential(nn.ReLU())
    assert len(t) == len(s) + 1
    assert len(nn.Sequential(nn.ReLU()) * 3) == 3
    named = nn.Sequential(OrderedDict([("a", nn.Linear(2, 2)), ("b", nn.ReLU())]))
    assert list(dict(named.named_children())) == ["a", "b"] and named.a is named[0]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        s[5]
    assert s(ember.randn(4, 2)).shape[0] == 4


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
    ml.append(nn.Sigmoid())
    ml.insert(0, nn.Identity())
    ml.extend([nn.GELU()])
    ml += [nn.SiLU()]
    assert [type(m).__name__ for m in ml] == ["Identity", "ReLU", "Tanh", "Sigmoid", "GELU",
                                              "SiLU"]
    del ml[0]
    assert type(ml[0]).__name__ == "ReLU" and len(ml[1:3]) == 2
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(nn.ReLU())
    md = nn.ModuleDict({"a": nn.ReLU()})
    md["b"] = nn.Tanh()
    md.update([("c", nn.GELU())])
    assert list(md.keys()) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert md.pop("a").__class__ is nn.ReLU and list(md) == ["b", "c"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([ember.zeros(2)])
    pl.append(nn.Parameter(ember.ones(1)))
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl()
    pd = nn.ParameterDict({"x": ember.zeros(1)})
    pd["y"] = ember.ones(2)
    assert isinstance(pd["y"], nn.Parameter) and list(pd.keys()) == ["x", "y"]
    assert pd.get("z") is None and "x" in pd
    merged = pd | nn.ParameterDict({"z": ember.ones(1)})
    assert list(merged.keys()) == ["x", "y", "z"]
    assert pd.pop("x").shape == (1,) and list(pd) == ["y"]


def test_parameter_behaviour():
    t = ember.randn(3)
    p = nn.Parameter(t)
    assert p.requires_grad and isinstance(p, ember.Tensor)
    p.data.mul_(0)
    assert t.tolist() == [0.0, 0.0, 0.0]  # shares memory with the data
    assert (p * 2).__class__ is not nn.Parameter
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q is not p
    r = pickle.loads(pickle.dumps(nn.Parameter(ember.ones(2), requires_grad=False)))
    assert type(r) is nn.Parameter and not r.requires_grad and r.tolist() == [1.0, 1.0]
    assert nn.Parameter().shape == (0,)
    b = nn.Buffer(ember.ones(2))
    assert isinstance(b, nn.Buffer) and not isinstance(ember.ones(2), nn.Buffer)


def test_deepcopy_and_pickle_module():
    m = Net()
    c = copy.deepcopy(m)
    assert c.shared is c.seq[0]  # sharing survives the copy
    for (k, v), (k2, v2) in zip(m.state_dict().items(), c.state_dict().items()):
        assert k == k2 and v.equal(v2)
    c.seq[0].weight.data.fill_(0)
    assert m.seq[0].weight.abs().sum().item() != 0
    d = pickle.loads(pickle.dumps(nn.Linear(2, 3)))
    assert d.weight.shape == (3, 2) and isinstance(d.weight, nn.Parameter)


def test_dir_and_custom_module_init_errors():
    m = Net()
    assert "embed" in dir(m) and "forward" in dir(m)

    class NoInit(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.zeros(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        NoInit()
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def test_half_precision_module_runs():
    m = nn.Sequential(nn.Linear(4, 3), nn.ReLU()).double()
    out = m(ember.randn(2, 4, dtype=ember.float64))
    assert out.dtype == ember.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Linear(2, 2).bfloat16()(ember.randn(1, 2).bfloat16())
