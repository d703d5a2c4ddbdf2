
import numpy as np
import pytest
from _ember_nn_layer_cases import close

import ember
import ember.nn as nn
import ember.nn.functional as F


def test_dropout_statistics_and_scaling():
    ember.manual_seed(0)
    x = ember.ones(100000)
    y = F.dropout(x, 0.3)
    kept = (y != 0).double().mean().item()
    assert abs(kept - 0.7) < 0.01
    kept_values = y[y != 0]
    assert float(kept_values.min()) == pytest.approx(1 / 0.7)
    assert float(kept_values.max()) == pytest.approx(1 / 0.7)


def test_dropout_gradient_uses_the_same_mask():
    x = ember.randn(50, 50, requires_grad=True)
    y = F.dropout(x, 0.5)
    y.sum().backward()
    mask = (y != 0).float() * 2
    close(x.grad, mask.numpy())


def test_eval_and_p_zero_return_input():
    x = ember.randn(3, 4)
    assert nn.Dropout().eval()(x) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 1.0).abs().sum().item() == 0.0


def test_invalid_p():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError):
        F.dropout(ember.randn(2), -0.1)


def test_seeded_dropout_is_reproducible():
    ember.manual_seed(7)
    a = F.dropout(ember.ones(100), 0.5)
    ember.manual_seed(7)
    b = F.dropout(ember.ones(100), 0.5)
    assert a.equal(b)


@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (4, 8, 20)), (F.dropout1d, (8, 20)),
                                      (F.dropout2d, (4, 8, 5, 5)), (F.dropout3d, (2, 8, 3, 3, 3))])
def test_feature_dropout_zeroes_whole_channels(fn, shape):
    ember.manual_seed(1)
    y = fn(ember.ones(*shape), 0.5)
    flat = y.reshape(-1, shape[-1] if len(shape) == 2 else int(np.prod(shape[-(len(shape) - 2):])))
    for row in flat.tolist():
        assert len(set(row)) == 1 and row[0] in (0.0, 2.0)


def test_dropout2d_warns_on_3d():
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(ember.randn(2, 3, 4))


def test_alpha_dropout_keeps_mean_and_std():
    ember.manual_seed(0)
    x = ember.randn(200000)
    y = nn.AlphaDropout(0.2).train()(x)
    assert abs(y.mean().item()) < 0.02 and abs(y.std().item() - 1) < 0.02
    assert nn.AlphaDropout(0.2).eval()(x) is x
    z = F.feature_alpha_dropout(ember.randn(4, 6, 8), 0.5, training=True)
    assert z.shape == (4, 6, 8)


def test_inplace_dropout():
    x = ember.ones(1000)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and (x == 0).any().item()


def test_dropout_repr():
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"
