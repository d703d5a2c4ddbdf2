"""Optimizer trajectories, state and state_dict against PyTorch's (recorded fixtures)."""

import copy
import json
import math
import pathlib
import warnings

import numpy as np
import pytest

import ember
from ember import optim

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "optim"

# Tolerances of trajectory comparisons, relative to the largest magnitude of the reference
# tensor. PyTorch's CPU kernels fuse multiply-adds (add(alpha=), lerp and addcmul round
# once); NumPy rounds the product and the sum separately, so float32 differs in the last
# bits. In float64 those bits are far below the tolerance: the comparison is near-exact,
# which checks that every update does PyTorch's operations in PyTorch's order.
RTOL = {"float64": 1e-12, "float32": 1e-6}


def load(name):
    """``(metadata, {name: array})`` of a fixture written by tools/make_optim_fixtures.py."""
    meta = json.loads((FIXTURES / f"{name}.json").read_text())
    npz = FIXTURES / f"{name}.npz"
    return meta, (dict(np.load(npz)) if npz.exists() else {})


def assert_close_rel(got, ref, rtol, what=""):
    """max |got - ref| <= rtol * max |ref|."""
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, f"{what}: shape {got.shape} != {ref.shape}"
    scale = max(float(np.max(np.abs(ref))), 1e-30)
    err = float(np.max(np.abs(got - ref)))
    assert err <= rtol * scale, f"{what}: max error {err:.3g} > {rtol:g} * {scale:.3g}"

META, ARRAYS = load("optimizers")
CASES = {case["id"]: case for case in META["cases"]}
SKIP = tuple(META["skip"])
STEPS = META["steps"]
DTYPES = ["float64", "float32"]


def make(case, dtype_name, device="cpu"):
    """Fresh parameters (on ``device``) and the case's optimizer over them."""
    dtype = getattr(ember, dtype_name)
    cid = case["id"]
    params = [ember.tensor(ARRAYS[f"{cid}__param{i}__init"], dtype=dtype, device=device,
                           requires_grad=True)
              for i in range(len(META["shapes"]))]
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in case["kwargs"].items()}
    if case["groups"]:
        spec = [{"params": [p], **g} for p, g in zip(params, case["groups"])]
    else:
        spec = params
    return params, getattr(optim, case["cls"])(spec, **kwargs)


def run_step(case, dtype_name, params, opt, step):
    dtype = getattr(ember, dtype_name)
    device = params[0].device
    cid = case["id"]
    if case["closure"]:
        tw = [(ember.tensor(ARRAYS[f"{cid}__param{i}__target"], dtype=dtype, device=device),
               ember.tensor(ARRAYS[f"{cid}__param{i}__weight"], dtype=dtype, device=device))
              for i in range(len(params))]

        def closure():
            opt.zero_grad()
            loss = sum((((p - t) ** 2) * w).sum() for p, (t, w) in zip(params, tw))
            loss.backward()
            return loss

        return opt.step(closure)
    for i, p in enumerate(params):
        p.grad = (None if (i, step) == SKIP
                  else ember.tensor(ARRAYS[f"{cid}__param{i}__grads"][step], dtype=dtype,
                                    device=device))
    return opt.step()


def jsonable(value):
    if isinstance(value, ember.Tensor):
        return {"tensor": value.tolist()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("case_id", list(CASES))
def test_trajectory_matches_pytorch(case_id, dtype_name, device):
    # (``device``: the conformance plugin's --device, cpu by default)
    case = CASES[case_id]
    params, opt = make(case, dtype_name, device)
    losses = []
    for step in range(STEPS):
        loss = run_step(case, dtype_name, params, opt, step)
        if loss is not None:
            losses.append(float(loss))
        for i, p in enumerate(params):
            assert p.dtype is getattr(ember, dtype_name)
            ref = ARRAYS[f"{case_id}__{dtype_name}__param{i}__traj"][step]
            assert_close_rel(p.detach().cpu().numpy(), ref, RTOL[dtype_name],
                             f"{case_id} {dtype_name} param {i} step {step}")
    expected = case["dtypes"][dtype_name]
    if expected["losses"]:
        np.testing.assert_allclose(losses, expected["losses"], rtol=10 * RTOL[dtype_name])

    # the state after 10 steps: tensors, step counters, keys, dtypes
    sd = opt.state_dict()
    assert sorted(map(str, sd["state"])) == sorted(expected["state"])
    for idx, st in sd["state"].items():
        ref_state = expected["state"][str(idx)]
        assert list(st) == list(ref_state), f"state keys of param {idx}"
        for key, value in st.items():
            spec = ref_state[key]
            if "shape" in spec:
                ref = ARRAYS[f"{case_id}__{dtype_name}__state{idx}__{key}"]
                assert_close_rel(value.cpu().numpy(), ref, RTOL[dtype_name] * 10,
                                 f"state {key}")
                assert value.device == params[0].device
                assert str(value.dtype).replace("ember", "torch") == spec["dtype"]
            else:
                got = value.item() if isinstance(value, ember.Tensor) else value
                assert got == pytest.approx(spec["value"], rel=1e-6), key
                if spec["dtype"] is not None:
                    assert str(value.dtype).replace("ember", "torch") == spec["dtype"]
                    assert value.dim() == 0


@pytest.mark.parametrize("case_id", list(CASES))
def test_param_groups_in_state_dict_match_pytorch(case_id):
    case = CASES[case_id]
    params, opt = make(case, "float64")
    for step in range(STEPS):
        run_step(case, "float64", params, opt, step)
    assert jsonable(opt.state_dict()["param_groups"]) == case["dtypes"]["float64"][
        "param_groups"]


@pytest.mark.parametrize("case_id", ["sgd_momentum", "adam_amsgrad", "adamw", "adamax",
                                     "nadam", "radam_betas", "rmsprop_all", "adagrad_lr_decay",
                                     "adadelta_wd", "sgd_groups", "adam_groups"])
def test_state_dict_round_trip_continues_the_same_trajectory(case_id):
    case = CASES[case_id]
    params, opt = make(case, "float64")
    for step in range(4):
        run_step(case, "float64", params, opt, step)
    saved_params = [p.detach().clone() for p in params]
    sd = copy.deepcopy(opt.state_dict())

    # a fresh optimizer over fresh parameters, restored from the state_dict
    params2, opt2 = make(case, "float64")
    with ember.no_grad():
        for p, s in zip(params2, saved_params):
            p.copy_(s)
    opt2.load_state_dict(sd)
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    for step in range(4, STEPS):
        run_step(case, "float64", params, opt, step)
        run_step(case, "float64", params2, opt2, step)
    for p, q in zip(params, params2):
        # bit-equal, except NAdam: load_state_dict casts its float32 mu_product to the
        # params' float64, as PyTorch does with every state tensor but step
        rtol = 1e-9 if case["cls"] == "NAdam" else 0.0
        assert_close_rel(q.detach().numpy(), p.detach().numpy(), rtol)
    for i, p in enumerate(params):
        ref = ARRAYS[f"{case_id}__float64__param{i}__traj"][STEPS - 1]
        assert_close_rel(p.detach().numpy(), ref, RTOL["float64"])


def test_state_dict_structure_is_pytorchs():
    p = ember.randn(3, requires_grad=True)
    q = ember.randn(2, requires_grad=True)
    opt = optim.Adam([{"params": [p]}, {"params": [q], "lr": 0.1}], lr=0.01)
    p.grad, q.grad = ember.ones(3), ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert list(sd["state"]) == [0, 1]
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq"]
    assert sd["state"][0]["step"].item() == 1.0
    assert sd["state"][0]["exp_avg"] is opt.state[p]["exp_avg"]  # not a copy, as PyTorch
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.1
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)


def test_load_state_dict_casts_state_to_the_params_dtype_but_not_step():
    p = ember.randn(3, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = ember.ones(3)
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].double()
    q = ember.randn(3, dtype=ember.float64, requires_grad=True)
    opt2 = optim.Adam([q])
    opt2.load_state_dict(sd)
    assert opt2.state[q]["exp_avg"].dtype is ember.float64
    assert opt2.state[q]["step"].dtype is ember.float32  # step keeps its dtype
    assert opt2.state[q]["exp_avg_sq"].dtype is ember.float64


def test_load_state_dict_with_named_params_and_old_integer_step():
    p = ember.randn(3, requires_grad=True)
    opt = optim.SGD([("w", p)], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["param_names"] == ["w"]
    p.grad = ember.ones(3)
    opt.step()
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w"]

    # an old checkpoint with a Python-number step is upgraded to a tensor, as PyTorch
    a = ember.randn(3, requires_grad=True)
    adam = optim.Adam([a])
    a.grad = ember.ones(3)
    adam.step()
    sd = copy.deepcopy(adam.state_dict())
    sd["state"][0]["step"] = 5
    adam.load_state_dict(sd)
    assert isinstance(adam.state[a]["step"], ember.Tensor)
    assert adam.state[a]["step"].item() == 5.0


@pytest.mark.skipif(not hasattr(ember, "save"), reason="ember.save is not there yet")
def test_save_and_load_optimizer_state(tmp_path):
    p = ember.randn(4, requires_grad=True)
    opt = optim.AdamW([p], lr=0.01, amsgrad=True)
    for _ in range(3):
        p.grad = ember.randn(4)
        opt.step()
    ember.save(opt.state_dict(), tmp_path / "opt.pt")
    loaded = ember.load(tmp_path / "opt.pt")
    q = p.detach().clone().requires_grad_()
    opt2 = optim.AdamW([q], lr=0.01, amsgrad=True)
    opt2.load_state_dict(loaded)
    g = ember.randn(4)
    p.grad, q.grad = g, g.clone()
    opt.step()
    opt2.step()
    np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


@pytest.mark.skipif(not hasattr(ember, "load"), reason="ember.load is not there yet")
@pytest.mark.parametrize("case_id", ["sgd_momentum", "adam_amsgrad", "rmsprop_all", "nadam",
                                     "adagrad_lr_decay"])
def test_loads_a_pytorch_optimizer_checkpoint_and_continues(case_id):
    # torch.save(optimizer.state_dict()) after 4 float64 steps (tools/make_optim_fixtures.py)
    case = CASES[case_id]
    sd = ember.load(FIXTURES / f"{case_id}_step4.pt")
    params, opt = make(case, "float64")
    with ember.no_grad():
        for i, p in enumerate(params):
            p.copy_(ember.tensor(ARRAYS[f"{case_id}__float64__param{i}__traj"][3]))
    opt.load_state_dict(sd)
    assert opt.state_dict()["param_groups"][0]["params"] == [0, 1]
    for step in range(4, STEPS):
        run_step(case, "float64", params, opt, step)
    # (NAdam: loading casts the float32 mu_product to float64, in PyTorch too)
    rtol = 1e-9 if case["cls"] == "NAdam" else RTOL["float64"]
    for i, p in enumerate(params):
        ref = ARRAYS[f"{case_id}__float64__param{i}__traj"][STEPS - 1]
        assert_close_rel(p.detach().numpy(), ref, rtol)


# -- the base class -----------------------------------------------------------------------
ERRORS = {c["case"]: c for c in load("errors")[0]["cases"]}


def _expect(case, fn):
    spec = ERRORS[case]
    with pytest.raises(Exception) as info:
        fn()
    assert type(info.value).__name__ == spec["type"]
    message = spec["message"].replace("torch.", "ember.")
    got = str(info.value)
    assert got == message, f"{got!r} != {message!r}"


def test_errors_match_pytorch():
    p = ember.zeros(2, requires_grad=True)
    q = ember.zeros(2, requires_grad=True)
    _expect("empty", lambda: optim.SGD([], lr=0.1))
    _expect("tensor_params", lambda: optim.SGD(p, lr=0.1))
    _expect("set_params", lambda: optim.SGD([{"params": {p}}], lr=0.1))
    _expect("not_tensor", lambda: optim.SGD([p, 1.0], lr=0.1))
    _expect("non_leaf", lambda: optim.SGD([p * 2], lr=0.1))
    _expect("duplicate_group", lambda: optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))
    _expect("mixed_names", lambda: optim.SGD([("a", p), q], lr=0.1))
    _expect("names_groups", lambda: optim.SGD([{"params": [("a", p)]}, {"params": [q]}],
                                              lr=0.1))
    _expect("negative_lr", lambda: optim.SGD([p], lr=-0.1))
    _expect("negative_momentum", lambda: optim.SGD([p], lr=0.1, momentum=-0.5))
    _expect("nesterov", lambda: optim.SGD([p], lr=0.1, nesterov=True))
    _expect("adam_beta0", lambda: optim.Adam([p], betas=(1.0, 0.999)))
    _expect("adam_beta1", lambda: optim.Adam([p], betas=(0.9, -0.1)))
    _expect("adam_eps", lambda: optim.Adam([p], eps=-1.0))
    _expect("adam_wd", lambda: optim.Adam([p], weight_decay=-1.0))
    _expect("rmsprop_alpha", lambda: optim.RMSprop([p], alpha=-0.5))
    _expect("adagrad_lr_decay", lambda: optim.Adagrad([p], lr_decay=-0.5))
    _expect("adadelta_rho", lambda: optim.Adadelta([p], rho=1.5))
    _expect("nadam_momentum_decay", lambda: optim.NAdam([p], momentum_decay=-0.5))
    _expect("lbfgs_groups", lambda: optim.LBFGS([{"params": [p]}, {"params": [q]}]))
    _expect("load_groups", lambda: optim.SGD([p], lr=0.1).load_state_dict(
        optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1).state_dict()))
    _expect("load_sizes", lambda: optim.SGD([p], lr=0.1).load_state_dict(
        optim.SGD([p, q], lr=0.1).state_dict()))


def test_duplicate_parameters_warn():
    p = ember.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)


def test_add_param_group_and_defaults():
    p = ember.zeros(2, requires_grad=True)
    q = ember.zeros(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": q, "lr": 0.01})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["params"] == [q]
    assert opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["momentum"] == 0.9
    assert opt.defaults["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([q])
    # a required hyperparameter
    from ember.optim.optimizer import required

    class Custom(optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Custom([p])
    assert Custom([{"params": [p], "lr": 1.0}]).param_groups[0]["lr"] == 1.0


def test_zero_grad():
    p = ember.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = ember.ones(2)
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_params_without_grad_are_skipped_and_get_no_state():
    p = ember.ones(2, requires_grad=True)
    q = ember.ones(2, requires_grad=True)
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = ember.ones(2)
    opt.step()
    assert q.tolist() == [1.0, 1.0]
    assert q not in opt.state and p in opt.state
    assert list(opt.state_dict()["state"]) == [0]


def test_step_with_closure_returns_the_loss_and_runs_with_grad():
    p = ember.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert float(loss) == 5.0
    np.testing.assert_allclose(p.detach().numpy(), [0.8, -1.6], rtol=1e-6)


def test_step_runs_under_no_grad():
    p = ember.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ember.ones(2)
    assert ember.is_grad_enabled()
    opt.step()
    assert ember.is_grad_enabled()
    assert p.grad_fn is None and p.is_leaf and p.requires_grad
    assert not opt.state[p]["momentum_buffer"].requires_grad


def test_step_hooks():
    p = ember.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o)))
    from ember.optim.optimizer import (
        register_optimizer_step_post_hook,
        register_optimizer_step_pre_hook,
    )

    g1 = register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("gpre", o)))
    g2 = register_optimizer_step_post_hook(lambda o, a, k: calls.append(("gpost", o)))
    p.grad = ember.ones(2)
    opt.step()
    assert [c[0] for c in calls] == ["gpre", "pre", "post", "gpost"]
    assert all(c[1] is opt for c in calls)
    for h in (h1, h2, g1, g2):
        h.remove()
    calls.clear()
    opt.step()
    assert calls == []

    # a pre hook may replace the arguments
    def replace(o, args, kwargs):
        return args, {"closure": lambda: 42.0}

    with opt.register_step_pre_hook(replace):
        assert opt.step() == 42.0
    assert opt.step() is None

    def bad(o, args, kwargs):
        return "nope"

    h = opt.register_step_pre_hook(bad)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()
    h.remove()


def test_state_dict_hooks():
    p = ember.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    order = []
    opt.register_state_dict_pre_hook(lambda o: order.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    sd = opt.state_dict()
    assert order == ["pre"] and sd["extra"] == 1

    def pre_load(o, sd):
        sd = dict(sd)
        sd["param_groups"] = [{**g, "lr": 0.5} for g in sd["param_groups"]]
        return sd

    opt.register_load_state_dict_pre_hook(pre_load)
    opt.register_load_state_dict_post_hook(lambda o: order.append("post_load"), prepend=True)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.5
    assert order == ["pre", "post_load"]


def test_repr_is_pytorchs():
    p = ember.ones(2, requires_grad=True)
    text = repr(optim.SGD([p], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "    lr: 0.1\n" in text and text.endswith(")")
    assert "params" not in text


def test_tensor_lr():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=ember.tensor(0.5))
    p.grad = ember.ones(2)
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.5, 1.5])
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.SGD([p], lr=ember.tensor([0.1, 0.2]))


def test_functional_api_and_registered_multi_tensor_impl():
    from ember.optim.optimizer import _IMPLS, register_optimizer_impl
    from ember.optim.sgd import _single_tensor_sgd, sgd

    p = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.no_grad():
        sgd([p], [ember.ones(2)], [None], weight_decay=0, momentum=0, lr=0.5, dampening=0,
            nesterov=False, maximize=False)
    assert p.tolist() == [0.5, 1.5]

    calls = []

    def multi_tensor_sgd(params, grads, bufs, **kwargs):
        calls.append((len(params), kwargs["lr"]))
        _single_tensor_sgd(params, grads, bufs, **kwargs)

    register_optimizer_impl("sgd", "cpu", multi_tensor_sgd)
    try:
        q = ember.tensor([1.0], requires_grad=True)
        opt = optim.SGD([p, q], lr=0.1)
        p.grad, q.grad = ember.ones(2), ember.ones(1)
        opt.step()
        assert calls == [(2, 0.1)]
        optim.SGD([p], lr=0.1, foreach=False).step()  # foreach=False: the plain loop
        assert len(calls) == 1
        optim.SGD([p], lr=0.1, fused=True).step()  # no fused impl: the foreach one
        assert len(calls) == 2
    finally:
        _IMPLS.clear()
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        optim.SGD([p], lr=0.1, fused=True, foreach=True)
    with pytest.raises(ValueError, match="kind must be"):
        register_optimizer_impl("sgd", "cpu", multi_tensor_sgd, kind="other")


def test_adagrad_creates_state_eagerly():
    p = ember.zeros(2, requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["sum"].tolist() == [0.25, 0.25]
    assert opt.state[p]["step"].item() == 0.0


def test_differentiable_sgd_records_a_graph():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    p = w.clone()
    opt = optim.SGD([p], lr=0.5, differentiable=True)
    p.grad = ember.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt.step()
    assert p.grad_fn is not None
    p.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_optimizers_train_a_small_regression():
    # end to end through autograd: each optimizer lowers a least-squares loss
    gen = np.random.RandomState(0)
    x = ember.tensor(gen.randn(32, 3), dtype=ember.float32)
    y = x @ ember.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    for cls, kwargs in [(optim.SGD, {"lr": 0.05, "momentum": 0.9}),
                        (optim.Adam, {"lr": 0.05}), (optim.AdamW, {"lr": 0.05}),
                        (optim.Adamax, {"lr": 0.05}), (optim.NAdam, {"lr": 0.05}),
                        (optim.RAdam, {"lr": 0.05}), (optim.RMSprop, {"lr": 0.01}),
                        (optim.Adagrad, {"lr": 0.5}), (optim.Adadelta, {"lr": 5.0})]:
        w = ember.zeros(3, 1, requires_grad=True)
        b = ember.zeros(1, requires_grad=True)
        opt = cls([w, b], **kwargs)
        first = None
        for _ in range(60):
            opt.zero_grad()
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            opt.step()
            first = first if first is not None else loss.item()
        assert loss.item() < 0.5 * first, cls.__name__
        assert math.isfinite(loss.item())


@pytest.mark.parametrize("cls, kwargs", [
    (optim.Adam, {}), (optim.Adam, {"amsgrad": True, "weight_decay": 0.1}), (optim.AdamW, {}),
    (optim.Adamax, {}), (optim.NAdam, {}), (optim.RAdam, {}),
    (optim.RMSprop, {"centered": True, "momentum": 0.5}), (optim.Adadelta, {}),
    (optim.Adagrad, {}), (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True})])
def test_capturable_and_differentiable_paths_agree_with_the_plain_one(cls, kwargs):
    # capturable keeps the bias corrections on tensors (float32 steps, as PyTorch);
    # differentiable records the update in the graph
    results = {}
    for mode in ("plain", "capturable", "differentiable"):
        if mode == "capturable" and "capturable" not in cls.__init__.__code__.co_varnames:
            continue
        gen = np.random.RandomState(0)
        leaf = ember.tensor(gen.randn(5), dtype=ember.float64, requires_grad=True)
        p = leaf.clone() if mode == "differentiable" else leaf
        opt = cls([p], **kwargs, **({mode: True} if mode != "plain" else {}))
        for step in range(8):
            p.grad = ember.tensor(gen.randn(5), dtype=ember.float64)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opt.step()
            if mode == "differentiable" and step == 0:
                # (later steps modify tensors the graph saved; PyTorch raises then too)
                assert p.grad_fn is not None
                (g,) = ember.autograd.grad(p.sum(), leaf, retain_graph=True)
                assert g.shape == (5,)
        results[mode] = p.detach().numpy()
    for mode, value in results.items():
        np.testing.assert_allclose(value, results["plain"], rtol=1e-6, err_msg=mode)
