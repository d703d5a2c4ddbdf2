"""RNN, LSTM, GRU and their cells: fixtures from PyTorch, gradcheck, names, errors."""

import functools
import warnings

import numpy as np
import pytest
from _ember_nn_b_cases import cases, run_case, target

import ember
from ember.autograd import gradcheck

M = functools.partial(target, kind="module")


@pytest.mark.parametrize("case", cases("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"))
def test_against_pytorch(case, device):
    run_case(case, device)


@pytest.mark.parametrize("mode, kw", [("LSTM", dict(proj_size=2, bidirectional=True)),
                                      ("GRU", dict(num_layers=2)),
                                      ("RNN", dict(nonlinearity="relu", batch_first=True))])
def test_gradcheck(mode, kw, device):
    ember.manual_seed(0)
    m = M(mode)(2, 3, **kw).double().to(device)
    x = ember.randn(3, 2, 2, dtype=ember.float64, device=device, requires_grad=True)

    def run(a):
        out, h = m(a)
        return (out,) + (h if isinstance(h, tuple) else (h,))
    assert gradcheck(run, (x,))


def test_gradcheck_initial_state(device):
    ember.manual_seed(0)
    m = M("LSTM")(2, 3).double().to(device)
    x = ember.randn(4, 1, 2, dtype=ember.float64, device=device, requires_grad=True)
    h0 = ember.randn(1, 1, 3, dtype=ember.float64, device=device, requires_grad=True)
    c0 = ember.randn(1, 1, 3, dtype=ember.float64, device=device, requires_grad=True)
    assert gradcheck(lambda a, h, c: m(a, (h, c))[1], (x, h0, c0))


def test_parameter_names():
    m = M("LSTM")(3, 4, 2, bidirectional=True, proj_size=2)
    assert list(m.state_dict()) == [
        f"{kind}_l{layer}{suffix}" for layer in range(2) for suffix in ("", "_reverse")
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")]
    assert tuple(m.weight_ih_l1.shape) == (16, 4) and tuple(m.weight_hh_l0.shape) == (16, 2)
    assert [n for n, _ in M("GRU")(3, 4, bias=False).named_parameters()] == \
        ["weight_ih_l0", "weight_hh_l0"]
    assert [n for n, _ in M("GRUCell")(3, 4).named_parameters()] == \
        ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert len(m.all_weights) == 4 and m._flat_weights_names[-1] == "weight_hr_l1_reverse"


def test_default_init_is_uniform():
    ember.manual_seed(0)
    m = M("GRU")(10, 25)
    bound = 1 / 25 ** 0.5
    for p in m.parameters():
        assert np.abs(p.detach().numpy()).max() <= bound


def test_dropout_between_layers_only_in_training(device):
    ember.manual_seed(0)
    m = M("GRU")(3, 4, num_layers=2, dropout=0.5).to(device)
    x = ember.randn(5, 2, 3, device=device)
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    assert ember.equal(a, b)
    m.train()
    c, _ = m(x)
    assert not ember.equal(a, c)


@pytest.mark.parametrize("make, text", [
    (lambda: M("RNN")(10, 20, 2, nonlinearity="relu", bias=False, batch_first=True,
                      dropout=0.5, bidirectional=True),
     "RNN(10, 20, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)"),
    (lambda: M("LSTM")(10, 20, proj_size=5), "LSTM(10, 20, proj_size=5)"),
    (lambda: M("GRU")(3, 4), "GRU(3, 4)"),
    (lambda: M("RNNCell")(3, 4, nonlinearity="relu", bias=False),
     "RNNCell(3, 4, bias=False, nonlinearity=relu)"),
    (lambda: M("LSTMCell")(3, 4), "LSTMCell(3, 4)"),
])
def test_repr(make, text):
    assert repr(make()) == text


def _lstm():
    return M("LSTM")(3, 4, 2, bidirectional=True, proj_size=2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: _lstm()(ember.randn(5, 3, 4)), RuntimeError,
     "input.size(-1) must be equal to input_size. Expected 3, got 4"),
    (lambda: _lstm()(ember.randn(5, 3, 3), (ember.zeros(1, 3, 2), ember.zeros(4, 3, 4))),
     RuntimeError, "Expected hidden[0] size (4, 3, 2), got [1, 3, 2]"),
    (lambda: _lstm()(ember.randn(5, 3, 3), (ember.zeros(4, 3, 2), ember.zeros(4, 3, 3))),
     RuntimeError, "Expected hidden[1] size (4, 3, 4), got [4, 3, 3]"),
    (lambda: _lstm()(ember.randn(5, 3, 3), (ember.zeros(4, 2), ember.zeros(4, 4))),
     RuntimeError, "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) "
     "tensors"),
    (lambda: _lstm()(ember.randn(5, 3, 3, 1)), ValueError,
     "LSTM: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: M("GRU")(3, 4)(ember.randn(5, 3, 3), ember.zeros(2, 3, 4)), RuntimeError,
     "Expected hidden size (1, 3, 4), got [2, 3, 4]"),
    (lambda: M("GRU")(3, 4)(ember.randn(5, 3), ember.zeros(1, 3, 4)), RuntimeError,
     "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
    (lambda: M("LSTM")(3, 4, proj_size=4), ValueError,
     "proj_size has to be smaller than hidden_size"),
    (lambda: M("GRU")(3, 4, proj_size=2), ValueError,
     "proj_size argument is only supported for LSTM, not RNN or GRU"),
    (lambda: M("GRU")(3, 4, dropout=1.5), ValueError,
     "dropout should be a number in range [0, 1] representing the probability of an element "
     "being zeroed"),
    (lambda: M("GRU")(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: M("LSTMCell")(3, 4)(ember.randn(2, 5)), RuntimeError,
     "input has inconsistent input_size: got 5 expected 3"),
    (lambda: M("LSTMCell")(3, 4)(ember.randn(2, 3), (ember.zeros(3, 4), ember.zeros(3, 4))),
     RuntimeError, "Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: M("LSTMCell")(3, 4)(ember.randn(2, 2, 3)), ValueError,
     "LSTMCell: Expected input to be 1D or 2D, got 3D instead"),
])
def test_errors(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error) as info:
            call()
    assert str(info.value) == message


def test_dropout_warning_with_one_layer():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        M("GRU")(3, 4, dropout=0.5)
