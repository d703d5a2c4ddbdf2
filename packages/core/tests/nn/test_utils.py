import sys

import numpy as np
import pytest
from _ember_nn_layer_cases import META, close
from _ember_nn_layer_cases import arrays as DATA

import ember
import ember.nn as nn
from ember.nn.utils import parametrizations, parametrize
from ember.nn.utils import rnn as rnn_utils


def T(key, **kwargs):
    return ember.tensor(DATA()[key], **kwargs)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
def test_clip_grad_norm_against_pytorch(norm_type):
    key = f"utils/clip_norm_{norm_type}"
    params = []
    for i in range(3):
        g = T(f"{key}/grad{i}")
        p = nn.Parameter(ember.zeros(g.shape, dtype=ember.float64))
        p.grad = g
        params.append(p)
    total = nn.utils.clip_grad_norm_(iter(params), 0.7, norm_type=norm_type)
    close(total, DATA()[f"{key}/total"])
    for i, p in enumerate(params):
        close(p.grad, DATA()[f"{key}/clipped{i}"])


def test_clip_grad_norm_behaviour():
    p = nn.Parameter(ember.ones(4))
    p.grad = ember.full((4,), 0.1)
    total = nn.utils.clip_grad_norm_(p, 10.0)
    assert total.item() == pytest.approx(0.2) and p.grad.tolist() == pytest.approx([0.1] * 4)
    q = nn.Parameter(ember.ones(2))
    q.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite"):
        nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([nn.Parameter(ember.ones(1))], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_value():
    p = nn.Parameter(ember.zeros(3))
    p.grad = ember.tensor([-2.0, 0.5, 3.0])
    nn.utils.clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]


def test_parameters_vector_roundtrip():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = nn.utils.parameters_to_vector(m.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 + 1,)
    nn.utils.vector_to_parameters(ember.arange(11.0), m.parameters())
    assert m[0].weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m[1].bias.tolist() == [10.0]
    with pytest.raises(TypeError, match="expected torch.Tensor, but got"):
        nn.utils.vector_to_parameters([1.0], m.parameters())


def test_weight_norm_against_pytorch():
    lin = nn.Linear(4, 3, dtype=ember.float64)
    parametrizations.weight_norm(lin, dim=0)
    info = META["utils"]
    assert list(lin.state_dict().keys()) == info["weight_norm_keys"]
    assert repr(lin) == info["weight_norm_repr"]
    lin.load_state_dict({k: T(f"utils/weight_norm/sd/{k}") for k in info["weight_norm_keys"]})
    x = T("utils/weight_norm/x", requires_grad=True)
    y = lin(x)
    close(y, DATA()["utils/weight_norm/y"])
    y.backward(T("utils/weight_norm/gout"))
    close(x.grad, DATA()["utils/weight_norm/grad_x"])
    close(lin.parametrizations.weight.original0.grad, DATA()["utils/weight_norm/grad_g"])
    close(lin.parametrizations.weight.original1.grad, DATA()["utils/weight_norm/grad_v"])


def test_weight_norm_loads_old_keys_and_removal():
    old = nn.Linear(3, 2)
    with pytest.warns(FutureWarning, match="weight_norm` is deprecated"):
        nn.utils.weight_norm(old)
    assert sorted(old.state_dict()) == ["bias", "weight_g", "weight_v"]
    new = parametrizations.weight_norm(nn.Linear(3, 2))
    new.load_state_dict(old.state_dict())
    x = ember.randn(4, 3)
    close(new(x), old(x).detach().numpy(), rtol=1e-6)
    parametrize.remove_parametrizations(new, "weight")
    assert type(new) is nn.Linear and isinstance(new.weight, nn.Parameter)
    close(new(x), old(x).detach().numpy(), rtol=1e-6)
    nn.utils.remove_weight_norm(old)
    assert sorted(old.state_dict()) == ["bias", "weight"]


def test_spectral_norm_against_pytorch():
    sn = nn.Linear(5, 4, dtype=ember.float64)
    parametrizations.spectral_norm(sn)
    keys = META["utils"]["spectral_norm_keys"]
    assert list(sn.state_dict().keys()) == keys
    sn.load_state_dict({k: T(f"utils/spectral_norm/sd/{k}") for k in keys})
    x = T("utils/spectral_norm/x")
    y = sn(x)
    close(y, DATA()["utils/spectral_norm/y"], rtol=1e-6)
    y.backward(T("utils/spectral_norm/gout"))
    close(sn.parametrizations.weight.original.grad, DATA()["utils/spectral_norm/grad_w"],
          rtol=1e-6)
    for k, v in sn.state_dict().items():
        close(v, DATA()[f"utils/spectral_norm/sd_after/{k}"], rtol=1e-6)
    sn.eval()
    close(sn(x), DATA()["utils/spectral_norm/y_eval"], rtol=1e-6)


def test_spectral_norm_bounds_the_largest_singular_value():
    ember.manual_seed(0)
    m = parametrizations.spectral_norm(nn.Linear(8, 6))
    for _ in range(30):
        m(ember.randn(1, 8))
    w = m.weight.detach().double()
    # power iteration on w^T w estimates the largest singular value squared
    v = ember.randn(8, dtype=ember.float64)
    for _ in range(200):
        v = w.T @ (w @ v)
        v = v / (v * v).sum().sqrt()
    sigma = ((w @ v) * (w @ v)).sum().sqrt().item()
    assert sigma == pytest.approx(1.0, rel=1e-3)


def test_custom_parametrization_and_cached():
    class Symmetric(nn.Module):
        def forward(self, x):
            return (x + x.T) / 2

        def right_inverse(self, a):
            return a

    m = nn.Linear(3, 3)
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    w = m.weight
    close(w, w.detach().T.numpy())
    assert parametrize.type_before_parametrizations(m) is nn.Linear
    with parametrize.cached():
        assert m.weight is m.weight
    target = ember.eye(3)
    m.weight = target  # assigning goes through right_inverse
    close(m.parametrizations.weight.original, np.eye(3))
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a "
                                         "parametrized element with name 'nope'"):
        parametrize.register_parametrization(m, "nope", Symmetric())
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
        import pickle

        pickle.dumps(m)


def test_pad_and_pack_against_pytorch():
    seqs = [T(f"utils/pack/seq{i}", requires_grad=True) for i in range(3)]
    padded = rnn_utils.pad_sequence(seqs, batch_first=True)
    close(padded, DATA()["utils/pack/padded"])
    close(rnn_utils.pad_sequence(seqs, padding_value=-1.0, padding_side="left"),
          DATA()["utils/pack/padded_left"])
    packed = rnn_utils.pack_padded_sequence(padded, [4, 2, 3], batch_first=True,
                                            enforce_sorted=False)
    assert isinstance(packed, rnn_utils.PackedSequence)
    close(packed.data, DATA()["utils/pack/data"])
    assert packed.batch_sizes.tolist() == DATA()["utils/pack/batch_sizes"].tolist()
    assert packed.batch_sizes.device.type == "cpu"
    assert packed.sorted_indices.tolist() == DATA()["utils/pack/sorted_indices"].tolist()
    assert packed.unsorted_indices.tolist() == DATA()["utils/pack/unsorted_indices"].tolist()
    back, lengths = rnn_utils.pad_packed_sequence(packed, total_length=5)
    close(back, DATA()["utils/pack/back"])
    assert lengths.tolist() == DATA()["utils/pack/lengths"].tolist()
    back.sum().backward()
    assert seqs[0].grad.tolist() == [[1.0, 1.0]] * 4


def test_pack_sequence_roundtrip_and_errors():
    seqs = [ember.randn(3, 2), ember.randn(2, 2), ember.randn(1, 2)]
    packed = rnn_utils.pack_sequence(seqs)
    assert packed.batch_sizes.tolist() == [3, 2, 1]
    for a, b in zip(rnn_utils.unpack_sequence(packed), seqs):
        assert a.equal(b)
    with pytest.raises(RuntimeError, match="`lengths` array must be sorted in decreasing order"):
        rnn_utils.pack_sequence(seqs[::-1])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        rnn_utils.pad_packed_sequence(packed, total_length=2)
    assert packed.double().data.dtype == ember.float64


def test_fuse_linear_bn_against_pytorch():
    lin = nn.Linear(3, 4, dtype=ember.float64).eval()
    bn = nn.BatchNorm1d(4, dtype=ember.float64).eval()
    lin.load_state_dict({k: T(f"utils/fuse/lin/{k}") for k in ("weight", "bias")})
    bn.load_state_dict({k: T(f"utils/fuse/bn/{k}") for k in bn.state_dict()})
    fused = nn.utils.fuse_linear_bn_eval(lin, bn)
    close(fused.weight, DATA()["utils/fuse/fused/weight"])
    close(fused.bias, DATA()["utils/fuse/fused/bias"])
    x = ember.randn(5, 3, dtype=ember.float64)
    close(fused(x), bn(lin(x)).detach().numpy())
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        nn.utils.fuse_linear_bn_eval(lin.train(), bn)


def test_fuse_conv_bn_eval():
    conv = nn.Conv2d(2, 3, 3, padding=1).double().eval()
    bn = nn.BatchNorm2d(3).double().eval()
    with ember.no_grad():
        bn.running_mean.copy_(ember.randn(3, dtype=ember.float64))
        bn.running_var.copy_(ember.rand(3, dtype=ember.float64) + 0.5)
        bn.weight.copy_(ember.randn(3, dtype=ember.float64))
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    x = ember.randn(2, 2, 5, 5, dtype=ember.float64)
    close(fused(x), bn(conv(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_hook_spectral_norm_against_pytorch():
    m = nn.utils.spectral_norm(nn.Linear(5, 4, dtype=ember.float64))
    keys = META["utils"]["old_spectral_norm_keys"]
    assert list(m.state_dict().keys()) == keys
    assert m.state_dict()._metadata[""]["spectral_norm"] == {"weight.version": 1}
    m.load_state_dict({k: T(f"utils/old_spectral_norm/sd/{k}") for k in keys})
    close(m(T("utils/old_spectral_norm/x")), DATA()["utils/old_spectral_norm/y"], rtol=1e-6)
    for k, v in m.state_dict().items():
        close(v, DATA()[f"utils/old_spectral_norm/sd_after/{k}"], rtol=1e-6)
    nn.utils.remove_spectral_norm(m)
    assert sorted(m.state_dict()) == ["bias", "weight"]


def test_nn_utils_is_the_subpackage_without_importing_it():
    import subprocess

    code = ("import ember; ember.nn.utils.clip_grad_norm_; ember.nn.utils.rnn.pad_sequence; "
            "print(ember.nn.utils.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "ember.nn.utils"


def test_functional_call():
    from ember.nn.utils.stateless import functional_call

    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    w = ember.ones(2, 3, requires_grad=True)
    x = ember.randn(4, 3)
    out = functional_call(m, {"0.weight": w, "0.bias": ember.zeros(2)}, (x,))
    m2 = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    with ember.no_grad():
        m2[0].weight.fill_(1.0)
        m2[0].bias.zero_()
    close(out, m2(x).detach().numpy(), rtol=1e-6)
    out.sum().backward()
    assert w.grad is not None and m[0].weight.grad is None
    assert isinstance(m[0].weight, nn.Parameter)  # restored
    with pytest.raises(RuntimeError, match="Missing key"):
        functional_call(m, {"0.weight": w}, (x,), strict=True)
