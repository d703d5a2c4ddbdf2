
import numpy as np
import pytest
from _ember_nn_layer_cases import cases, close, run_case

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

NORMS = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm1d",
         "InstanceNorm2d", "RMSNorm", "LocalResponseNorm"]


@pytest.mark.parametrize("case", cases(*NORMS))
def test_against_pytorch(case, device):
    run_case(case, device)


@pytest.mark.parametrize("case", cases("local_response_norm", "normalize", kind="functional"))
def test_functional_against_pytorch(case, device):
    run_case(case, device)


def _x(*shape):
    return ember.randn(*shape, dtype=ember.float64).requires_grad_()


def test_batch_norm_gradcheck():
    x, w, b = _x(4, 3, 2), _x(3), _x(3)
    rm, rv = ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         (x, w, b))
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))


def test_layer_group_instance_rms_gradcheck():
    x = _x(2, 4, 3)
    w, b = _x(3), _x(3)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (3,), w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, (3,), w, b), (x, w, b))
    wg, bg = _x(4), _x(4)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, wg, bg))
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, wg, bg))
    assert gradcheck(lambda x, w: F.rms_norm(x, (3,), w), (x, w))
    assert gradcheck(lambda x: F.local_response_norm(x, 3), (x,))


def test_batch_norm_running_stats_and_num_batches():
    bn = nn.BatchNorm1d(3, momentum=0.5)
    x = ember.randn(8, 3) * 2 + 1
    bn(x)
    mean = x.mean(0)
    var = x.var(0)  # unbiased
    close(bn.running_mean, (0.5 * mean).numpy(), rtol=1e-5, atol=1e-6)
    close(bn.running_var, (0.5 + 0.5 * var).numpy(), rtol=1e-5, atol=1e-6)
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == ember.int64
    bn.eval()
    before = bn.running_mean.clone()
    y = bn(x)
    assert bn.running_mean.equal(before) and bn.num_batches_tracked.item() == 1
    expected = (x - bn.running_mean) / (bn.running_var + bn.eps).sqrt()
    close(y, expected.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    xs = [ember.randn(5, 2) for _ in range(3)]
    for x in xs:
        bn(x)
    expected = sum(x.mean(0) for x in xs) / 3
    close(bn.running_mean, expected.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_errors_and_no_running_stats():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(ember.randn(1, 3))
    with pytest.raises(ValueError, match="expected 4D input \\(got 3D input\\)"):
        nn.BatchNorm2d(3)(ember.randn(2, 3, 4))
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    assert bn.running_mean is None and list(bn.state_dict()) == ["weight", "bias"]
    bn.eval()
    y = bn(ember.randn(4, 3))  # batch statistics even in eval
    close(y.mean(0), np.zeros(3), atol=1e-6)


def test_batch_norm_state_dict_and_old_checkpoints():
    bn = nn.BatchNorm2d(3)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert bn.state_dict()._metadata[""]["version"] == 2
    bn.num_batches_tracked.fill_(5)
    sd = bn.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1  # saved before num_batches_tracked existed: still loads
    assert bn.load_state_dict(sd).missing_keys == []
    assert bn.num_batches_tracked.item() == 5
    sd._metadata[""]["version"] = 2
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: '
                                           '"num_batches_tracked"'):
        bn.load_state_dict(sd)


def test_lazy_batch_norm():
    bn = nn.LazyBatchNorm2d()
    bn(ember.randn(2, 5, 3, 3))
    assert type(bn) is nn.BatchNorm2d and bn.weight.shape == (5,)
    assert bn.num_features == 5 and bn.num_batches_tracked.item() == 1


def test_instance_norm_no_batch_and_warning():
    m = nn.InstanceNorm1d(3)
    assert m(ember.randn(3, 5)).shape == (3, 5)
    with pytest.warns(UserWarning, match="does not match num_features"):
        m(ember.randn(2, 4, 5))
    with pytest.raises(ValueError, match="expected input's size at dim=1 to match num_features"):
        nn.InstanceNorm1d(3, affine=True)(ember.randn(2, 4, 5))


def test_layer_norm_shape_error():
    with pytest.raises(RuntimeError, match="Given normalized_shape=\\[4\\], expected input with "
                                           "shape \\[\\*, 4\\]"):
        F.layer_norm(ember.randn(2, 3), (4,))


def test_group_norm_divisibility():
    with pytest.raises(ValueError, match="num_channels \\(5\\) must be divisible by num_groups"):
        nn.GroupNorm(2, 5)


def test_rms_norm_default_eps_is_dtype_eps():
    x = ember.tensor([[1e-4, -1e-4]])
    out = F.rms_norm(x, (2,))
    expected = 1e-4 / (1e-8 + np.finfo(np.float32).eps) ** 0.5
    close(out, np.array([[expected, -expected]], dtype=np.float32), rtol=1e-5)


def test_default_parameters():
    for m in [nn.BatchNorm1d(4), nn.LayerNorm(4), nn.GroupNorm(2, 4), nn.RMSNorm(4)]:
        assert m.weight.tolist() == [1.0] * 4
        if getattr(m, "bias", None) is not None:
            assert m.bias.tolist() == [0.0] * 4
    assert nn.InstanceNorm1d(4).weight is None


def test_node_names_match_pytorch():
    x = ember.randn(4, 3, requires_grad=True)
    assert F.layer_norm(x, (3,)).grad_fn.name() == "NativeLayerNormBackward0"
    assert F.batch_norm(x, None, None, training=True).grad_fn.name() == \
        "NativeBatchNormBackward0"
    assert F.dropout(x, 0.5).grad_fn.name() == "MulBackward0"
    assert F.gelu(x).grad_fn.name() == "GeluBackward0"
    assert F.cross_entropy(x, ember.tensor([0, 1, 2, 0])).grad_fn.name() == "NllLossBackward0"
