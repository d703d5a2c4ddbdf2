"""Write tests/fixtures/optim/: optimizer trajectories and lr schedules recorded with PyTorch.

Run with torch installed:  python packages/core/tools/make_optim_fixtures.py

* ``optimizers.json`` + ``optimizers.npz``: for every optimizer configuration, the initial
  parameters, a fixed sequence of 10 gradients (parameter 1 gets no gradient at step 2,
  so the "skip params without grad" path is covered), the parameters after every step,
  the final state tensors, and the structure of ``state_dict()`` (param_groups values,
  state keys). Recorded in float64 and float32. ``closure`` cases compute the gradient
  of a fixed quadratic through autograd inside ``step(closure)``.
* ``lbfgs.json`` + ``lbfgs.npz``: L-BFGS on the Rosenbrock function, iterates, losses and
  function-evaluation counts after each ``step``.
* ``schedulers.json``: the lr (and momentum) of two param groups after every scheduler
  step, the scheduler's ``state_dict()`` keys; floats round-trip exactly through JSON.
* ``swa.json`` + ``swa.npz``: ``AveragedModel`` state_dicts after each ``update_parameters``
  (SWA, EMA through avg_fn and multi_avg_fn, use_buffers) on a small Linear-BatchNorm model
  whose weights follow a fixed sequence, and the running statistics ``update_bn`` computes.
* ``errors.json``: PyTorch's messages for invalid optimizer arguments.
* ``<case>_step4.pt``: ``torch.save(optimizer.state_dict())`` of a few float64 cases after
  4 steps, to check that ember loads PyTorch's optimizer checkpoints and continues.

The tests read these files only; ember and its tests never import torch.
"""

from __future__ import annotations

import json
import math
import pathlib
import warnings

import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "optim"
STEPS = 10
SHAPES = [(3, 4), (5,)]
SKIP = (1, 2)  # (param index, step) that has no gradient

# (case id, optimizer class, kwargs, [per-group extra kwargs] or None, closure or None)
OPTIMIZER_CASES = [
    ("sgd", "SGD", {"lr": 0.1}, None, None),
    ("sgd_momentum", "SGD", {"lr": 0.1, "momentum": 0.9}, None, None),
    ("sgd_dampening", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, None, None),
    ("sgd_nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, None, None),
    ("sgd_wd", "SGD", {"lr": 0.1, "momentum": 0.8, "weight_decay": 0.1}, None, None),
    ("sgd_maximize", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True,
                             "weight_decay": 0.01, "maximize": True}, None, None),
    ("sgd_groups", "SGD", {"lr": 0.1}, [{"momentum": 0.9}, {"lr": 0.01}], None),
    ("sgd_closure", "SGD", {"lr": 0.05, "momentum": 0.9}, None, "quadratic"),
    ("adam", "Adam", {"lr": 0.01}, None, None),
    ("adam_amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}, None, None),
    ("adam_wd", "Adam", {"lr": 0.01, "weight_decay": 0.1}, None, None),
    ("adam_betas_eps", "Adam", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6}, None, None),
    ("adam_maximize", "Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05,
                               "maximize": True}, None, None),
    ("adam_decoupled", "Adam", {"lr": 0.01, "weight_decay": 0.1,
                                "decoupled_weight_decay": True}, None, None),
    ("adam_groups", "Adam", {"lr": 0.01}, [{"amsgrad": True}, {"lr": 0.03}], None),
    ("adam_closure", "Adam", {"lr": 0.05}, None, "quadratic"),
    ("adamw", "AdamW", {"lr": 0.01}, None, None),
    ("adamw_amsgrad", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, None, None),
    ("adamw_maximize", "AdamW", {"lr": 0.01, "maximize": True}, None, None),
    ("adamax", "Adamax", {"lr": 0.01}, None, None),
    ("adamax_wd", "Adamax", {"lr": 0.02, "weight_decay": 0.1, "betas": [0.8, 0.99]}, None,
     None),
    ("adamax_maximize", "Adamax", {"lr": 0.01, "maximize": True}, None, None),
    ("nadam", "NAdam", {"lr": 0.01}, None, None),
    ("nadam_momentum_decay", "NAdam", {"lr": 0.01, "momentum_decay": 0.01}, None, None),
    ("nadam_wd", "NAdam", {"lr": 0.01, "weight_decay": 0.1}, None, None),
    ("nadam_decoupled", "NAdam", {"lr": 0.01, "weight_decay": 0.1,
                                  "decoupled_weight_decay": True}, None, None),
    ("nadam_maximize", "NAdam", {"lr": 0.01, "maximize": True}, None, None),
    ("radam", "RAdam", {"lr": 0.01}, None, None),
    ("radam_betas", "RAdam", {"lr": 0.01, "betas": [0.9, 0.9]}, None, None),
    ("radam_wd", "RAdam", {"lr": 0.01, "weight_decay": 0.1, "betas": [0.9, 0.95]}, None,
     None),
    ("radam_decoupled", "RAdam", {"lr": 0.01, "weight_decay": 0.1,
                                  "decoupled_weight_decay": True, "betas": [0.9, 0.9]},
     None, None),
    ("radam_maximize", "RAdam", {"lr": 0.01, "maximize": True, "betas": [0.9, 0.9]}, None,
     None),
    ("rmsprop", "RMSprop", {"lr": 0.01}, None, None),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}, None, None),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}, None, None),
    ("rmsprop_all", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5,
                                "weight_decay": 0.1, "alpha": 0.9}, None, None),
    ("rmsprop_alpha", "RMSprop", {"lr": 0.01, "alpha": 0.3}, None, None),
    ("rmsprop_maximize", "RMSprop", {"lr": 0.01, "maximize": True, "centered": True,
                                     "alpha": 0.4}, None, None),
    ("adagrad", "Adagrad", {"lr": 0.1}, None, None),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.1}, None, None),
    ("adagrad_init_acc", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5,
                                     "eps": 1e-5}, None, None),
    ("adagrad_wd", "Adagrad", {"lr": 0.1, "weight_decay": 0.1}, None, None),
    ("adagrad_maximize", "Adagrad", {"lr": 0.1, "maximize": True}, None, None),
    ("adadelta", "Adadelta", {}, None, None),
    ("adadelta_rho", "Adadelta", {"lr": 0.5, "rho": 0.5}, None, None),
    ("adadelta_wd", "Adadelta", {"lr": 1.0, "weight_decay": 0.1, "eps": 1e-4}, None, None),
    ("adadelta_maximize", "Adadelta", {"maximize": True}, None, None),
]

LBFGS_CASES = [
    ("strong_wolfe", {"lr": 1, "line_search_fn": "strong_wolfe"}),
    ("strong_wolfe_history", {"lr": 1, "line_search_fn": "strong_wolfe", "history_size": 2,
                              "max_iter": 4}),
    ("no_line_search", {"lr": 0.05, "max_iter": 5, "history_size": 5}),
    ("tolerances", {"lr": 1, "line_search_fn": "strong_wolfe", "tolerance_grad": 1e-3,
                    "tolerance_change": 1e-4, "max_iter": 8, "max_eval": 12}),
]

# (case id, scheduler, kwargs, steps, optimizer class, optimizer kwargs)
SCHEDULER_CASES = [
    ("lambda", "LambdaLR", {"lr_lambda": "pow095"}, 12, "SGD", {}),
    ("lambda_list", "LambdaLR", {"lr_lambda": ["pow095", "linear_decay"]}, 12, "SGD", {}),
    ("multiplicative", "MultiplicativeLR", {"lr_lambda": "const09"}, 12, "SGD", {}),
    ("step", "StepLR", {"step_size": 3, "gamma": 0.5}, 12, "SGD", {}),
    ("multistep", "MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}, 12, "SGD", {}),
    ("constant", "ConstantLR", {"factor": 0.25, "total_iters": 4}, 8, "SGD", {}),
    ("linear", "LinearLR", {"start_factor": 0.2, "end_factor": 0.9, "total_iters": 6}, 10,
     "SGD", {}),
    ("exponential", "ExponentialLR", {"gamma": 0.9}, 12, "SGD", {}),
    ("polynomial", "PolynomialLR", {"total_iters": 7, "power": 2.0}, 10, "SGD", {}),
    ("cosine", "CosineAnnealingLR", {"T_max": 5, "eta_min": 0.001}, 16, "SGD", {}),
    ("cosine_warm", "CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.01},
     16, "SGD", {}),
    ("cosine_warm_t1", "CosineAnnealingWarmRestarts", {"T_0": 4}, 10, "SGD", {}),
    ("cyclic", "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}, 14, "SGD",
     {"momentum": 0.9}),
    ("cyclic_tri2", "CyclicLR", {"base_lr": [0.01, 0.02], "max_lr": 0.1, "step_size_up": 2,
                                 "step_size_down": 3, "mode": "triangular2"}, 14, "SGD",
     {"momentum": 0.9}),
    ("cyclic_exp", "CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2,
                                "mode": "exp_range", "gamma": 0.9,
                                "cycle_momentum": False}, 12, "SGD", {}),
    ("cyclic_adam", "CyclicLR", {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4}, 10,
     "Adam", {}),
    ("onecycle", "OneCycleLR", {"max_lr": 0.5, "total_steps": 12}, 11, "SGD",
     {"momentum": 0.9}),
    ("onecycle_linear3", "OneCycleLR", {"max_lr": [0.5, 0.2], "epochs": 2,
                                        "steps_per_epoch": 6, "anneal_strategy": "linear",
                                        "three_phase": True, "pct_start": 0.25}, 11, "Adam",
     {}),
    ("plateau", "ReduceLROnPlateau", {"factor": 0.5, "patience": 1}, 14, "SGD", {}),
    ("plateau_max_abs", "ReduceLROnPlateau", {"mode": "max", "threshold_mode": "abs",
                                              "threshold": 0.1, "patience": 0, "cooldown": 2,
                                              "min_lr": [0.02, 0.0]}, 14, "SGD", {}),
    ("sequential", "SequentialLR", {"schedulers": [["ConstantLR", {"factor": 0.5,
                                                                   "total_iters": 2}],
                                                   ["ExponentialLR", {"gamma": 0.9}]],
                                    "milestones": [3]}, 10, "SGD", {}),
    ("sequential3", "SequentialLR", {"schedulers": [["LinearLR", {"start_factor": 0.1,
                                                                  "total_iters": 3}],
                                                    ["StepLR", {"step_size": 2}],
                                                    ["CosineAnnealingLR", {"T_max": 4}]],
                                     "milestones": [3, 6]}, 12, "SGD", {}),
    ("chained", "ChainedScheduler", {"schedulers": [["ConstantLR", {"factor": 0.5,
                                                                    "total_iters": 3}],
                                                    ["ExponentialLR", {"gamma": 0.9}]]},
     10, "SGD", {}),
    ("swalr", "SWALR", {"swa_lr": 0.05, "anneal_epochs": 4}, 8, "SGD", {}),
    ("swalr_linear", "SWALR", {"swa_lr": [0.05, 0.01], "anneal_epochs": 3,
                               "anneal_strategy": "linear"}, 8, "SGD", {}),
    ("swalr_zero", "SWALR", {"swa_lr": 0.05, "anneal_epochs": 0}, 4, "SGD", {}),
]

# the metric fed to ReduceLROnPlateau, one per step
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.97, 0.5, 0.6, 0.7, 0.8, 0.45, 0.44, 0.45, 0.46, 0.47,
                   0.48]


def lr_lambda(name):
    """The lr_lambdas the scheduler cases use, by name (the tests define the same)."""
    return {"pow095": lambda e: 0.95 ** e, "linear_decay": lambda e: 1.0 - e / 20,
            "const09": lambda e: 0.9}[name]


def initial_params(seed):
    rng = np.random.RandomState(seed)
    return [rng.randn(*s) for s in SHAPES]


def gradient_sequence(seed):
    rng = np.random.RandomState(seed + 1000)
    return [[rng.randn(*s) for s in SHAPES] for _ in range(STEPS)]


def quadratic_targets(seed):
    rng = np.random.RandomState(seed + 2000)
    return [(rng.randn(*s), rng.rand(*s) + 0.5) for s in SHAPES]


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def to_jsonable(value):
    import torch

    if isinstance(value, torch.Tensor):
        return {"tensor": value.tolist()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def record_optimizers(torch):
    cases, arrays = [], {}
    for seed, (case_id, cls_name, kwargs, groups, closure) in enumerate(OPTIMIZER_CASES):
        case = {"id": case_id, "cls": cls_name, "kwargs": kwargs, "groups": groups,
                "closure": closure, "seed": seed, "dtypes": {}}
        params0 = initial_params(seed)
        grads = gradient_sequence(seed)
        targets = quadratic_targets(seed)
        for i, p in enumerate(params0):
            arrays[f"{case_id}__param{i}__init"] = p
            if closure:
                arrays[f"{case_id}__param{i}__target"] = targets[i][0]
                arrays[f"{case_id}__param{i}__weight"] = targets[i][1]
            else:
                arrays[f"{case_id}__param{i}__grads"] = np.stack([g[i] for g in grads])
        for dtype_name in ("float64", "float32"):
            dtype = getattr(torch, dtype_name)
            params = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in params0]
            kw = {k: tuple(v) if k == "betas" else v for k, v in kwargs.items()}
            if groups:
                spec = [{"params": [p], **g} for p, g in zip(params, groups)]
            else:
                spec = params
            opt = getattr(torch.optim, cls_name)(spec, **kw)
            history = [[] for _ in params]
            losses = []
            for step in range(STEPS):
                if closure:
                    def closure_fn(opt=opt, params=params, dtype=dtype, targets=targets):
                        opt.zero_grad()
                        loss = sum(((p - torch.tensor(t, dtype=dtype)) ** 2
                                    * torch.tensor(w, dtype=dtype)).sum()
                                   for p, (t, w) in zip(params, targets))
                        loss.backward()
                        return loss
                    losses.append(float(opt.step(closure_fn)))
                else:
                    for i, p in enumerate(params):
                        p.grad = (None if (i, step) == SKIP
                                  else torch.tensor(grads[step][i], dtype=dtype))
                    opt.step()
                for i, p in enumerate(params):
                    history[i].append(p.detach().numpy().copy())
            for i in range(len(params)):
                arrays[f"{case_id}__{dtype_name}__param{i}__traj"] = np.stack(history[i])
            sd = opt.state_dict()
            state_struct = {}
            for idx, st in sd["state"].items():
                state_struct[str(idx)] = {}
                for key, value in st.items():
                    if isinstance(value, torch.Tensor) and value.dim() > 0:
                        arrays[f"{case_id}__{dtype_name}__state{idx}__{key}"] = value.numpy()
                        state_struct[str(idx)][key] = {"shape": list(value.shape),
                                                       "dtype": str(value.dtype)}
                    else:
                        state_struct[str(idx)][key] = {
                            "value": value.item() if isinstance(value, torch.Tensor)
                            else value,
                            "dtype": str(value.dtype) if isinstance(value, torch.Tensor)
                            else None}
            case["dtypes"][dtype_name] = {"param_groups": to_jsonable(sd["param_groups"]),
                                          "state": state_struct, "losses": losses}
        cases.append(case)
    return cases, arrays


CHECKPOINT_CASES = ["sgd_momentum", "adam_amsgrad", "rmsprop_all", "nadam", "adagrad_lr_decay"]


def record_checkpoints(torch):
    for case_id in CHECKPOINT_CASES:
        case_id, cls_name, kwargs, groups, _ = next(c for c in OPTIMIZER_CASES
                                                     if c[0] == case_id)
        seed = [c[0] for c in OPTIMIZER_CASES].index(case_id)
        params = [torch.tensor(p, requires_grad=True) for p in initial_params(seed)]
        grads = gradient_sequence(seed)
        kw = {k: tuple(v) if k == "betas" else v for k, v in kwargs.items()}
        opt = getattr(torch.optim, cls_name)(params, **kw)
        for step in range(4):
            for i, p in enumerate(params):
                p.grad = None if (i, step) == SKIP else torch.tensor(grads[step][i])
            opt.step()
        torch.save(opt.state_dict(), OUT / f"{case_id}_step4.pt")


def record_lbfgs(torch):
    cases, arrays = [], {}
    x0 = np.array([-1.5, 2.0])
    for case_id, kwargs in LBFGS_CASES:
        case = {"id": case_id, "kwargs": kwargs, "x0": x0.tolist(), "dtypes": {}}
        for dtype_name in ("float64", "float32"):
            x = torch.tensor(x0, dtype=getattr(torch, dtype_name), requires_grad=True)
            opt = torch.optim.LBFGS([x], **kwargs)

            def closure(opt=opt, x=x):
                opt.zero_grad()
                loss = rosenbrock(x)
                loss.backward()
                return loss

            xs, losses, evals, iters = [], [], [], []
            for _ in range(STEPS):
                losses.append(float(opt.step(closure)))
                xs.append(x.detach().numpy().copy())
                st = opt.state[x]
                evals.append(st["func_evals"])
                iters.append(st["n_iter"])
            arrays[f"{case_id}__{dtype_name}__x"] = np.stack(xs)
            case["dtypes"][dtype_name] = {"losses": losses, "func_evals": evals,
                                          "n_iter": iters,
                                          "state_keys": sorted(opt.state_dict()["state"][0])}
        cases.append(case)
    return cases, arrays


def make_scheduler(torch, opt, name, kwargs):
    from torch.optim import lr_scheduler, swa_utils

    kwargs = dict(kwargs)
    if "lr_lambda" in kwargs:
        spec = kwargs["lr_lambda"]
        kwargs["lr_lambda"] = ([lr_lambda(n) for n in spec] if isinstance(spec, list)
                               else lr_lambda(spec))
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [make_scheduler(torch, opt, n, kw)
                                for n, kw in kwargs["schedulers"]]
    if name == "ChainedScheduler":
        return lr_scheduler.ChainedScheduler(**kwargs)
    if name == "SWALR":
        return swa_utils.SWALR(opt, **kwargs)
    return getattr(lr_scheduler, name)(opt, **kwargs)


def record_schedulers(torch):
    cases = []
    for case_id, name, kwargs, steps, opt_name, opt_kwargs in SCHEDULER_CASES:
        p1 = torch.zeros(2, requires_grad=True)
        p2 = torch.zeros(3, requires_grad=True)
        opt = getattr(torch.optim, opt_name)([{"params": [p1], "lr": 0.1},
                                              {"params": [p2], "lr": 0.05}], **opt_kwargs)
        sched = make_scheduler(torch, opt, name, kwargs)
        lrs = [[float(g["lr"]) for g in opt.param_groups]]
        last = [list(map(float, sched.get_last_lr()))]
        moms = [[_momentum(g) for g in opt.param_groups]]
        for step in range(steps):
            opt.step()
            if name == "ReduceLROnPlateau":
                sched.step(PLATEAU_METRICS[step])
            else:
                sched.step()
            lrs.append([float(g["lr"]) for g in opt.param_groups])
            last.append(list(map(float, sched.get_last_lr())))
            moms.append([_momentum(g) for g in opt.param_groups])
        keys = sorted(sched.state_dict())
        cases.append({"id": case_id, "scheduler": name, "kwargs": kwargs, "steps": steps,
                      "optimizer": opt_name, "optimizer_kwargs": opt_kwargs, "lrs": lrs,
                      "last_lr": last, "momentum": moms, "state_dict_keys": keys,
                      "group_keys": [sorted(g) for g in opt.state_dict()["param_groups"]]})

    # the closed form (deprecated step(epoch)) and fractional epochs of warm restarts
    extra = []
    for name, kwargs, epochs in [
        ("StepLR", {"step_size": 2, "gamma": 0.5}, [0, 3, 4, 1, 7]),
        ("MultiStepLR", {"milestones": [2, 4], "gamma": 0.5}, [1, 5, 2, 4]),
        ("ExponentialLR", {"gamma": 0.8}, [3, 1, 6]),
        ("CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01}, [2, 5, 9]),
        ("LinearLR", {"start_factor": 0.5, "total_iters": 4}, [1, 3, 6]),
        ("ConstantLR", {"factor": 0.5, "total_iters": 2}, [1, 2, 5]),
        ("PolynomialLR", {"total_iters": 4, "power": 0.5}, [1, 3, 6]),
        ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2}, [0.5, 1.25, 3.0, 4.5, 10.1]),
        ("CosineAnnealingWarmRestarts", {"T_0": 3}, [0.5, 2.5, 7.2]),
    ]:
        p = torch.zeros(2, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make_scheduler(torch, opt, name, kwargs)
        lrs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for e in epochs:
                opt.step()
                sched.step(e)
                lrs.append(float(opt.param_groups[0]["lr"]))
        extra.append({"scheduler": name, "kwargs": kwargs, "epochs": epochs, "lrs": lrs})
    return cases, extra


def _momentum(group):
    if "betas" in group:
        return float(group["betas"][0])
    return float(group.get("momentum", math.nan))


def record_errors(torch):
    p = torch.zeros(2, requires_grad=True)
    q = torch.zeros(2, requires_grad=True)
    cases = []

    def run(label, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            cases.append({"case": label, "type": type(e).__name__, "message": str(e)})
        else:
            raise AssertionError(f"{label}: no error")

    run("empty", lambda: torch.optim.SGD([], lr=0.1))
    run("tensor_params", lambda: torch.optim.SGD(p, lr=0.1))
    run("set_params", lambda: torch.optim.SGD([{"params": {p}}], lr=0.1))
    run("not_tensor", lambda: torch.optim.SGD([p, 1.0], lr=0.1))
    run("non_leaf", lambda: torch.optim.SGD([p * 2], lr=0.1))
    run("duplicate_group", lambda: torch.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))
    run("mixed_names", lambda: torch.optim.SGD([("a", p), q], lr=0.1))
    run("names_groups", lambda: torch.optim.SGD([{"params": [("a", p)]}, {"params": [q]}],
                                                lr=0.1))
    run("negative_lr", lambda: torch.optim.SGD([p], lr=-0.1))
    run("negative_momentum", lambda: torch.optim.SGD([p], lr=0.1, momentum=-0.5))
    run("nesterov", lambda: torch.optim.SGD([p], lr=0.1, nesterov=True))
    run("adam_beta0", lambda: torch.optim.Adam([p], betas=(1.0, 0.999)))
    run("adam_beta1", lambda: torch.optim.Adam([p], betas=(0.9, -0.1)))
    run("adam_eps", lambda: torch.optim.Adam([p], eps=-1.0))
    run("adam_wd", lambda: torch.optim.Adam([p], weight_decay=-1.0))
    run("rmsprop_alpha", lambda: torch.optim.RMSprop([p], alpha=-0.5))
    run("adagrad_lr_decay", lambda: torch.optim.Adagrad([p], lr_decay=-0.5))
    run("adadelta_rho", lambda: torch.optim.Adadelta([p], rho=1.5))
    run("nadam_momentum_decay", lambda: torch.optim.NAdam([p], momentum_decay=-0.5))
    run("lbfgs_groups", lambda: torch.optim.LBFGS([{"params": [p]}, {"params": [q]}]))
    run("load_groups", lambda: torch.optim.SGD([p], lr=0.1).load_state_dict(
        torch.optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1).state_dict()))
    run("load_sizes", lambda: torch.optim.SGD([p], lr=0.1).load_state_dict(
        torch.optim.SGD([p, q], lr=0.1).state_dict()))
    run("sched_not_optimizer", lambda: torch.optim.lr_scheduler.StepLR(object(), 1))
    run("sched_resume", lambda: torch.optim.lr_scheduler.StepLR(
        torch.optim.SGD([p], lr=0.1), 1, last_epoch=3))
    run("plateau_factor", lambda: torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch.optim.SGD([p], lr=0.1), factor=1.5))
    run("onecycle_steps", lambda: torch.optim.lr_scheduler.OneCycleLR(
        torch.optim.SGD([p], lr=0.1, momentum=0.9), max_lr=1.0))
    return cases


SWA_CASES = [
    ("swa", {}),
    ("swa_buffers", {"use_buffers": True}),
    ("ema_avg_fn", {"avg_fn": ("ema", 0.8)}),
    ("ema_multi", {"multi_avg_fn": ("ema", 0.9)}),
    ("ema_multi_buffers", {"multi_avg_fn": ("ema", 0.7), "use_buffers": True}),
    ("swa_multi", {"multi_avg_fn": ("swa", None)}),
]
SWA_UPDATES = 4


def swa_model(fw):
    nn = fw.nn
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def swa_states(seed=7):
    """The model's state_dict (as arrays) at each update: a fixed random walk."""
    rng = np.random.RandomState(seed)
    import torch

    keys = {k: v.shape for k, v in swa_model(torch).state_dict().items()}
    states, current = [], None
    for _ in range(SWA_UPDATES):
        step = {k: rng.randn(*shape) if k != "1.num_batches_tracked" else
                np.array(rng.randint(0, 10)) for k, shape in keys.items()}
        if current is None:
            current = step
        else:
            current = {k: current[k] + 0.1 * step[k] if k != "1.num_batches_tracked"
                       else current[k] + step[k] for k in keys}
        current["1.running_var"] = np.abs(current["1.running_var"]) + 0.1
        states.append(current)
    return states


def swa_avg_kwargs(torch, kwargs):
    from torch.optim import swa_utils

    out = dict(kwargs)
    for key in ("avg_fn", "multi_avg_fn"):
        if key in out:
            kind, decay = out[key]
            multi = key == "multi_avg_fn"
            if kind == "ema":
                out[key] = (swa_utils.get_ema_multi_avg_fn(decay) if multi
                            else swa_utils.get_ema_avg_fn(decay))
            else:
                out[key] = (swa_utils.get_swa_multi_avg_fn() if multi
                            else swa_utils.get_swa_avg_fn())
    return out


def swa_batches(seed=8):
    rng = np.random.RandomState(seed)
    return [rng.randn(5, 3) for _ in range(3)]


def record_swa(torch):
    from torch.optim import swa_utils

    states = swa_states()
    arrays = {f"model{i}__{k}": v for i, st in enumerate(states) for k, v in st.items()}
    cases = []
    for case_id, kwargs in SWA_CASES:
        model = swa_model(torch).double()
        avg = swa_utils.AveragedModel(model, **swa_avg_kwargs(torch, kwargs))
        keys = list(avg.state_dict())
        for i, st in enumerate(states):
            model.load_state_dict({k: torch.tensor(v) for k, v in st.items()})
            avg.update_parameters(model)
            for k, v in avg.state_dict().items():
                arrays[f"{case_id}__{i}__{k}"] = v.numpy().copy()
        cases.append({"id": case_id, "kwargs": kwargs, "state_dict_keys": keys})

    # update_bn on the last averaged model: cumulative running statistics over a loader
    batches = swa_batches()
    model = swa_model(torch).double()
    model.load_state_dict({k: torch.tensor(v) for k, v in states[-1].items()})
    model.eval()
    loader = [(torch.tensor(b), torch.zeros(5)) for b in batches]
    swa_utils.update_bn(loader, model)
    bn = model[1]
    for k in ("running_mean", "running_var", "num_batches_tracked"):
        arrays[f"update_bn__{k}"] = getattr(bn, k).numpy().copy()
    for i, b in enumerate(batches):
        arrays[f"batch{i}"] = b
    update_bn = {"training_after": model.training, "momentum_after": bn.momentum}
    return {"cases": cases, "updates": SWA_UPDATES, "update_bn": update_bn}, arrays


def main():
    import torch

    torch.set_default_dtype(torch.float32)
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"torch": torch.__version__, "steps": STEPS, "shapes": SHAPES, "skip": SKIP}

    cases, arrays = record_optimizers(torch)
    np.savez_compressed(OUT / "optimizers.npz", **arrays)
    (OUT / "optimizers.json").write_text(json.dumps({**meta, "cases": cases}, indent=1))

    record_checkpoints(torch)

    cases, arrays = record_lbfgs(torch)
    np.savez_compressed(OUT / "lbfgs.npz", **arrays)
    (OUT / "lbfgs.json").write_text(json.dumps({**meta, "cases": cases}, indent=1))

    cases, extra = record_schedulers(torch)
    (OUT / "schedulers.json").write_text(json.dumps(
        {**meta, "plateau_metrics": PLATEAU_METRICS, "cases": cases, "closed_form": extra},
        indent=1))

    meta_swa, arrays = record_swa(torch)
    np.savez_compressed(OUT / "swa.npz", **arrays)
    (OUT / "swa.json").write_text(json.dumps({**meta, **meta_swa}, indent=1))

    (OUT / "errors.json").write_text(json.dumps({**meta, "cases": record_errors(torch)},
                                                indent=1))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
