"""Learning-rate schedules against the sequences PyTorch produced (recorded fixtures)."""

import copy
import json
import math
import pathlib
import pickle
import warnings

import pytest

import ember
from ember import optim
from ember.optim import lr_scheduler, swa_utils

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "optim"
META = json.loads((FIXTURES / "schedulers.json").read_text())
CASES = {case["id"]: case for case in META["cases"]}
ERRORS = {c["case"]: c for c in json.loads((FIXTURES / "errors.json").read_text())["cases"]}


def lr_lambda(name):
    # the same functions as tools/make_optim_fixtures.py
    return {"pow095": lambda e: 0.95 ** e, "linear_decay": lambda e: 1.0 - e / 20,
            "const09": lambda e: 0.9}[name]


def make_optimizer(name, kwargs):
    p1 = ember.zeros(2, requires_grad=True)
    p2 = ember.zeros(3, requires_grad=True)
    return getattr(optim, name)([{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.05}],
                                **kwargs)


def make_scheduler(opt, name, kwargs):
    kwargs = dict(kwargs)
    if "lr_lambda" in kwargs:
        spec = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = ([lr_lambda(n) for n in spec] if isinstance(spec, list)
                               else lr_lambda(spec))
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [make_scheduler(opt, n, kw) for n, kw in kwargs["schedulers"]]
    if name == "ChainedScheduler":
        return lr_scheduler.ChainedScheduler(**kwargs)
    if name == "SWALR":
        return swa_utils.SWALR(opt, **kwargs)
    return getattr(lr_scheduler, name)(opt, **kwargs)


def momentum(group):
    if "betas" in group:
        return float(group["betas"][0])
    return float(group.get("momentum", math.nan))


def same(a, b):
    """Exact equality of float lists, NaN equal to NaN."""
    return len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y))
                                    for x, y in zip(a, b))


def run(case, steps=None, opt=None, sched=None):
    opt = opt or make_optimizer(case["optimizer"], case["optimizer_kwargs"])
    sched = sched or make_scheduler(opt, case["scheduler"], case["kwargs"])
    lrs = [[float(g["lr"]) for g in opt.param_groups]]
    last = [list(map(float, sched.get_last_lr()))]
    moms = [[momentum(g) for g in opt.param_groups]]
    for step in range(case["steps"] if steps is None else steps):
        opt.step()
        if case["scheduler"] == "ReduceLROnPlateau":
            sched.step(META["plateau_metrics"][step])
        else:
            sched.step()
        lrs.append([float(g["lr"]) for g in opt.param_groups])
        last.append(list(map(float, sched.get_last_lr())))
        moms.append([momentum(g) for g in opt.param_groups])
    return opt, sched, lrs, last, moms


@pytest.mark.parametrize("case_id", list(CASES))
def test_lr_sequence_is_exactly_pytorchs(case_id):
    case = CASES[case_id]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right call order warns about nothing
        opt, sched, lrs, last, moms = run(case)
    assert lrs == case["lrs"]
    assert last == case["last_lr"]
    assert all(same(m, r) for m, r in zip(moms, case["momentum"]))
    assert sorted(sched.state_dict()) == case["state_dict_keys"]
    assert [sorted(g) for g in opt.state_dict()["param_groups"]] == case["group_keys"]


@pytest.mark.parametrize("case_id", list(CASES))
def test_state_dict_resumes_the_same_sequence(case_id):
    case = CASES[case_id]
    half = case["steps"] // 2
    opt, sched, *_ = run(case, steps=half)
    opt_sd = copy.deepcopy(opt.state_dict())
    sched_sd = copy.deepcopy(sched.state_dict())

    opt2 = make_optimizer(case["optimizer"], case["optimizer_kwargs"])
    sched2 = make_scheduler(opt2, case["scheduler"], case["kwargs"])
    sched2.load_state_dict(sched_sd)
    opt2.load_state_dict(opt_sd)  # after the scheduler, as PyTorch's docs say
    lrs = []
    for step in range(half, case["steps"]):
        opt2.step()
        if case["scheduler"] == "ReduceLROnPlateau":
            sched2.step(META["plateau_metrics"][step])
        else:
            sched2.step()
        lrs.append([float(g["lr"]) for g in opt2.param_groups])
    assert lrs == case["lrs"][half + 1:]


@pytest.mark.parametrize("spec", META["closed_form"], ids=lambda s: s["scheduler"])
def test_step_with_epoch_uses_pytorchs_closed_form(spec):
    p = ember.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    sched = make_scheduler(opt, spec["scheduler"], spec["kwargs"])
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for e in spec["epochs"]:
            opt.step()
            sched.step(e)
            lrs.append(float(opt.param_groups[0]["lr"]))
    assert lrs == spec["lrs"]


def test_epoch_argument_warns():
    opt = make_optimizer("SGD", {})
    sched = lr_scheduler.StepLR(opt, 2)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(3)


def test_initial_lr_bookkeeping():
    opt = make_optimizer("SGD", {})
    lr_scheduler.StepLR(opt, 2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    # a second scheduler keeps the first initial_lr
    opt.param_groups[0]["lr"] = 0.3
    sched = lr_scheduler.ExponentialLR(opt, 0.5)
    assert sched.base_lrs == [0.1, 0.05]
    # resuming (last_epoch >= 0) needs initial_lr in every group
    spec = ERRORS["sched_resume"]
    with pytest.raises(KeyError) as info:
        lr_scheduler.StepLR(make_optimizer("SGD", {}), 1, last_epoch=3)
    assert str(info.value) == spec["message"]
    resumed = lr_scheduler.StepLR(opt, 2, gamma=0.5, last_epoch=3)
    assert resumed.last_epoch == 4


def test_scheduler_errors_match_pytorch():
    for case, fn in [
        ("sched_not_optimizer", lambda: lr_scheduler.StepLR(object(), 1)),
        ("plateau_factor", lambda: lr_scheduler.ReduceLROnPlateau(make_optimizer("SGD", {}),
                                                                  factor=1.5)),
        ("onecycle_steps", lambda: lr_scheduler.OneCycleLR(
            make_optimizer("SGD", {"momentum": 0.9}), max_lr=1.0)),
    ]:
        spec = ERRORS[case]
        with pytest.raises(Exception) as info:
            fn()
        assert type(info.value).__name__ == spec["type"]
        assert str(info.value) == spec["message"]


def test_call_order_warnings():
    opt = make_optimizer("SGD", {})
    sched = lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()

    opt = make_optimizer("SGD", {})
    sched = lr_scheduler.StepLR(opt, 2)
    opt.step = lambda closure=None: None  # replaced after the scheduler wrapped it
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
        sched.step()

    opt = make_optimizer("SGD", {})
    sched = lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_tensor_lr_is_updated_in_place():
    p = ember.zeros(2, requires_grad=True)
    lr = ember.tensor(0.1)
    opt = optim.SGD([p], lr=lr)
    sched = lr_scheduler.StepLR(opt, 1, gamma=0.5)
    assert isinstance(opt.param_groups[0]["initial_lr"], ember.Tensor)
    assert opt.param_groups[0]["initial_lr"] is not lr
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr
    assert lr.item() == pytest.approx(0.05)
    assert isinstance(sched.get_last_lr()[0], ember.Tensor)


def test_lambda_scheduler_state_dict_keeps_callable_objects_state():
    class Decay:
        def __init__(self):
            self.factor = 0.5

        def __call__(self, epoch):
            return self.factor ** epoch

    opt = make_optimizer("SGD", {})
    sched = lr_scheduler.LambdaLR(opt, [Decay(), lambda e: 1.0])
    sched.lr_lambdas[0].factor = 0.25
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"factor": 0.25}, None]
    sched2 = lr_scheduler.LambdaLR(make_optimizer("SGD", {}), [Decay(), lambda e: 1.0])
    sched2.load_state_dict(sd)
    assert sched2.lr_lambdas[0].factor == 0.25
    assert "lr_lambdas" in sd  # load_state_dict leaves the dict as it was
    pickle.dumps(sd)


def test_cyclic_state_dict_is_picklable():
    opt = make_optimizer("SGD", {"momentum": 0.9})
    sched = lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="exp_range", gamma=0.9)
    sd = sched.state_dict()
    assert "_scale_fn_ref" not in sd and sd["_scale_fn_custom"] is None
    pickle.dumps(sd)
    sched.load_state_dict(sd)
    assert sched.scale_fn(2) == pytest.approx(0.81)


def test_cycle_momentum_requires_momentum():
    p = ember.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.CyclicLR(optim.Adagrad([p]), 0.01, 0.1)


def test_plateau_in_a_training_loop_with_a_tensor_metric():
    opt = make_optimizer("SGD", {})
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    for metric in [1.0, 1.0, 1.0]:
        sched.step(ember.tensor(metric))
    assert sched.get_last_lr() == [0.025, 0.0125]
