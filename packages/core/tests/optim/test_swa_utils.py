"""swa_utils: AveragedModel and update_bn against PyTorch (recorded fixtures), and SWALR."""

import copy
import json
import pathlib
import pickle

import numpy as np
import pytest

import ember
from ember import optim
from ember.optim import swa_utils

nn = pytest.importorskip("ember.nn")

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "optim"
META = json.loads((FIXTURES / "swa.json").read_text())
ARRAYS = dict(np.load(FIXTURES / "swa.npz"))
CASES = {case["id"]: case for case in META["cases"]}


def swa_model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def model_state(i):
    prefix = f"model{i}__"
    return {k[len(prefix):]: ember.tensor(v) for k, v in ARRAYS.items() if k.startswith(prefix)}


def avg_kwargs(kwargs):
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


@pytest.mark.parametrize("case_id", list(CASES))
def test_averaged_model_matches_pytorch(case_id):
    case = CASES[case_id]
    model = swa_model().double()
    avg = swa_utils.AveragedModel(model, **avg_kwargs(case["kwargs"]))
    assert list(avg.state_dict()) == case["state_dict_keys"]
    for i in range(META["updates"]):
        model.load_state_dict(model_state(i))
        avg.update_parameters(model)
        for key, value in avg.state_dict().items():
            ref = ARRAYS[f"{case_id}__{i}__{key}"]
            got = value.numpy()
            assert got.dtype == ref.dtype, key
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14, err_msg=key)


def test_averaged_model_forward_and_copy():
    model = swa_model()
    avg = swa_utils.AveragedModel(model)
    assert avg.module is not model
    assert avg.module[0].weight is not model[0].weight
    x = ember.randn(5, 3)
    model.eval()
    avg.eval()
    np.testing.assert_array_equal(avg(x).detach().numpy(), model(x).detach().numpy())
    assert avg.n_averaged.dtype is ember.int64 and avg.n_averaged.item() == 0
    # the averaged parameters are the AveragedModel's parameters (an optimizer could use them)
    assert len(list(avg.parameters())) == len(list(model.parameters()))
    restored = pickle.loads(pickle.dumps(avg))
    assert isinstance(restored, swa_utils.AveragedModel)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())


def test_update_bn_matches_pytorch():
    model = swa_model().double()
    model.load_state_dict(model_state(META["updates"] - 1))
    model.eval()
    batches = [ember.tensor(ARRAYS[f"batch{i}"]) for i in range(3)]
    loader = [(b, ember.zeros(5)) for b in batches]
    swa_utils.update_bn(loader, model)
    bn = model[1]
    for key in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(bn, key).numpy(), ARRAYS[f"update_bn__{key}"],
                                   rtol=1e-12, err_msg=key)
    assert model.training is META["update_bn"]["training_after"]
    assert bn.momentum == META["update_bn"]["momentum_after"]


def test_update_bn_without_batchnorm_is_a_no_op():
    model = nn.Sequential(nn.Linear(3, 2))
    calls = []

    class Loader:
        def __iter__(self):
            calls.append(1)
            return iter([])

    swa_utils.update_bn(Loader(), model)
    assert calls == []


def test_swa_training_loop():
    # the documented recipe: SWA over the last epochs, SWALR, update_bn at the end
    gen = np.random.RandomState(0)
    x = ember.tensor(gen.randn(64, 3), dtype=ember.float32)
    y = x @ ember.tensor([[1.0], [-1.0], [2.0]]) + 0.1
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    swa_model_ = swa_utils.AveragedModel(model)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
    swa_sched = swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=3)
    loss_fn = nn.MSELoss()
    for epoch in range(30):
        for i in range(0, 64, 16):
            opt.zero_grad()
            loss = loss_fn(model(x[i:i + 16]), y[i:i + 16])
            loss.backward()
            opt.step()
        if epoch >= 20:
            swa_model_.update_parameters(model)
            swa_sched.step()
        else:
            sched.step()
    swa_utils.update_bn([(x[i:i + 16],) for i in range(0, 64, 16)], swa_model_)
    assert swa_model_.n_averaged.item() == 10
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    swa_model_.eval()
    final = loss_fn(swa_model_(x), y).item()
    assert final < 0.5 * ((y - y.mean()) ** 2).mean().item()


def test_swalr_state_dict():
    p = ember.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=4)
    opt.step()
    sched.step()
    sd = sched.state_dict()
    assert "anneal_func" not in sd and sd["_anneal_strategy"] == "cos"
    pickle.dumps(sd)
    sched2 = swa_utils.SWALR(optim.SGD([p], lr=0.1), swa_lr=0.05, anneal_strategy="linear")
    sched2.load_state_dict(copy.deepcopy(sd))
    assert sched2.anneal_func is swa_utils.SWALR._cosine_anneal
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        swa_utils.SWALR(opt, swa_lr=0.05, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=-1)


def test_ema_fns_validate_decay():
    for fn in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
            fn(1.5)
