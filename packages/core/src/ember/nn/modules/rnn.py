"""Recurrent layers: RNN, LSTM, GRU and their cells (``torch.nn.modules.rnn``).

Written with Tensor ops. A layer's input projection ``x @ W_ih^T + b_ih`` is one matmul over
every time step; the loop over time then does one ``h @ W_hh^T`` per step. Padded and packed
inputs share one path: the input is a 2-D ``data`` tensor of stacked time steps plus the batch
size of each step (all equal for padded input), as a PackedSequence stores it.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ...autograd.function import Function
from ...ops.creation import empty, zeros
from ...ops.shape import cat
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]


def _is_packed(x):
    try:
        from ..utils.rnn import PackedSequence
    except ImportError:  # pragma: no cover - nn.utils.rnn not installed
        return hasattr(x, "batch_sizes") and hasattr(x, "data")
    return isinstance(x, PackedSequence)


def _packed(data, batch_sizes, sorted_indices, unsorted_indices):
    from ..utils.rnn import PackedSequence

    return PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices)


class _Split(Function):
    """Consecutive blocks of ``x`` along ``axis`` (time steps, gates); backward is one cat
    (indexing would scatter every block's gradient into a full-size zero tensor)."""

    _internal = True

    @staticmethod
    def forward(ctx, x, sizes, axis):
        k = x._device._k
        ctx.shape, ctx.sizes, ctx.axis = x._data.shape, sizes, axis
        ctx.like = (x.dtype, x.device)
        out, start = [], 0
        lead = (slice(None),) * axis
        for n in sizes:
            out.append(k.getitem(x._data, lead + (slice(start, start + n), Ellipsis)))
            start += n
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        parts = []
        for g, n in zip(grads, ctx.sizes, strict=True):
            if g is None:
                shape = list(ctx.shape)
                shape[ctx.axis] = n
                g = zeros(shape, dtype=ctx.like[0], device=ctx.like[1])
            parts.append(g)
        return cat(parts, ctx.axis), None, None


def _split(x, sizes, axis=0):
    out = _Split.apply(x, tuple(sizes), axis)
    return out if isinstance(out, tuple) else (out,)


def _steps(x, sizes):
    return _split(x, sizes, 0)


def _linear(x, w, b):
    return F.linear(x, w, b)


# -- one time step of each cell ---------------------------------------------------------------
def _rnn_step(xw, h, c, w_hh, b_hh, w_hr, relu):
    pre = xw + _linear(h, w_hh, b_hh)
    return (pre.relu() if relu else pre.tanh()), None


def _lstm_step(xw, h, c, w_hh, b_hh, w_hr, relu=False):
    gates = xw + _linear(h, w_hh, b_hh)
    i, f, g, o = _split(gates, (gates.shape[1] // 4,) * 4, 1)
    c2 = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h2 = o.sigmoid() * c2.tanh()
    if w_hr is not None:
        h2 = _linear(h2, w_hr, None)
    return h2, c2


def _gru_step(xw, h, c, w_hh, b_hh, w_hr, relu=False):
    gh = _linear(h, w_hh, b_hh)
    third = (xw.shape[1] // 3,) * 3
    xr, xz, xn = _split(xw, third, 1)
    hr, hz, hn = _split(gh, third, 1)
    r = (xr + hr).sigmoid()
    z = (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return n + z * (h - n), None


_STEPS = {"RNN_TANH": _rnn_step, "RNN_RELU": _rnn_step, "LSTM": _lstm_step, "GRU": _gru_step}


def _run_direction(step, steps, sizes, h0, c0, w_hh, b_hh, w_hr, relu, reverse):
    """Runs one direction of one layer; returns the per-step outputs and final (h, c)."""
    t_count = len(sizes)
    outs = [None] * t_count
    if not reverse:
        h, c = h0, c0
        done_h, done_c = [], []
        for t in range(t_count):
            b = sizes[t]
            if b < h.shape[0]:  # the shortest sequences ended: keep their final states
                done_h.append(h[b:])
                h = h[:b]
                if c is not None:
                    done_c.append(c[b:])
                    c = c[:b]
            h, c = step(steps[t], h, c, w_hh, b_hh, w_hr, relu)
            outs[t] = h
        if done_h:
            h = cat([h] + done_h[::-1], 0)
            if c is not None:
                c = cat([c] + done_c[::-1], 0)
        return outs, h, c
    b_last = sizes[-1] if t_count else h0.shape[0]
    h = h0[:b_last] if b_last < h0.shape[0] else h0
    c = None if c0 is None else (c0[:b_last] if b_last < c0.shape[0] else c0)
    for t in range(t_count - 1, -1, -1):
        b = sizes[t]
        if b > h.shape[0]:  # longer sequences join, starting from their initial states
            h = cat([h, h0[h.shape[0]:b]], 0)
            if c is not None:
                c = cat([c, c0[c.shape[0]:b]], 0)
        h, c = step(steps[t], h, c, w_hh, b_hh, w_hr, relu)
        outs[t] = h
    if h.shape[0] < h0.shape[0]:
        h = cat([h, h0[h.shape[0]:]], 0)
        if c is not None:
            c = cat([c, c0[c.shape[0]:]], 0)
    return outs, h, c


class RNNBase(Module):
    """Base of RNN, LSTM and GRU: the parameters, their names and the multi-layer loop."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]
    __jit_unused_properties__ = ["all_weights"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode == "LSTM":
            gate_size = 4 * hidden_size
        elif mode == "GRU":
            gate_size = 3 * hidden_size
        elif mode in ("RNN_TANH", "RNN_RELU"):
            gate_size = hidden_size
        else:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden_size = proj_size if proj_size > 0 else hidden_size
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                w_ih = Parameter(empty((gate_size, layer_input_size), device=device, dtype=dtype))
                w_hh = Parameter(empty((gate_size, real_hidden_size), device=device, dtype=dtype))
                b_ih = Parameter(empty(gate_size, device=device, dtype=dtype))
                b_hh = Parameter(empty(gate_size, device=device, dtype=dtype))
                if self.proj_size == 0:
                    layer_params = (w_ih, w_hh, b_ih, b_hh) if bias else (w_ih, w_hh)
                else:
                    w_hr = Parameter(empty((proj_size, hidden_size), device=device, dtype=dtype))
                    layer_params = (w_ih, w_hh, b_ih, b_hh, w_hr) if bias else (w_ih, w_hh, w_hr)
                suffix = "_reverse" if direction == 1 else ""
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if self.proj_size > 0:
                    names += ["weight_hr_l{}{}"]
                names = [x.format(layer, suffix) for x in names]
                for name, param in zip(names, layer_params, strict=True):
                    setattr(self, name, param)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    def flatten_parameters(self):
        """A cuDNN memory-layout hint in PyTorch; nothing to do here."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        return [[getattr(self, weight) for weight in weights] for weights in self._all_weights]

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if "proj_size" not in self.__dict__:
            self.proj_size = 0

    # -- checks ---------------------------------------------------------------------------
    def check_input(self, input, batch_sizes):
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got "
                               f"{input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        real = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, real)

    def check_hidden_size(self, hx, expected_hidden_size,
                          msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        expected = self.get_expected_hidden_size(input, batch_sizes)
        if self.mode == "LSTM":
            self.check_hidden_size(hidden[0], expected, "Expected hidden[0] size {}, got {}")
            cell = (expected[0], expected[1], self.hidden_size)
            self.check_hidden_size(hidden[1], cell, "Expected hidden[1] size {}, got {}")
        else:
            self.check_hidden_size(hidden, expected)

    # -- forward ----------------------------------------------------------------------------
    def forward(self, input, hx=None):
        lstm = self.mode == "LSTM"
        packed = _is_packed(input)
        num_directions = 2 if self.bidirectional else 1
        real = self.proj_size if self.proj_size > 0 else self.hidden_size
        if packed:
            data, batch_sizes = input.data, input.batch_sizes
            sorted_indices, unsorted_indices = input.sorted_indices, input.unsorted_indices
            sizes = [int(b) for b in batch_sizes.tolist()]
            batch = sizes[0]
            batched = True
        else:
            batch_sizes = sorted_indices = unsorted_indices = None
            if input.dim() not in (2, 3):
                raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                                 f"{input.dim()}D instead")
            batched = input.dim() == 3
            x = input if batched else input.unsqueeze(1)
            if batched and self.batch_first:
                x = x.transpose(0, 1)
            seq_len, batch = x.shape[0], x.shape[1]
            data = x.reshape(seq_len * batch, x.shape[2]) if seq_len * batch else x.reshape(
                0, x.shape[2])
            sizes = [batch] * seq_len
        hx = self._initial_state(input, hx, batched, packed, batch, real, data, sorted_indices)
        h0, c0 = (hx if lstm else (hx, None))
        if packed:
            self.check_forward_args(data, (h0, c0) if lstm else h0, batch_sizes)
        else:
            self.check_forward_args(input if batched else input.unsqueeze(
                0 if self.batch_first else 1), (h0, c0) if lstm else h0, None)
        step = _STEPS[self.mode]
        relu = self.mode == "RNN_RELU"
        layer_in = data
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                suffix = "_reverse" if direction == 1 else ""
                w_ih = getattr(self, f"weight_ih_l{layer}{suffix}")
                w_hh = getattr(self, f"weight_hh_l{layer}{suffix}")
                b_ih = getattr(self, f"bias_ih_l{layer}{suffix}") if self.bias else None
                b_hh = getattr(self, f"bias_hh_l{layer}{suffix}") if self.bias else None
                w_hr = getattr(self, f"weight_hr_l{layer}{suffix}") if self.proj_size else None
                idx = layer * num_directions + direction
                xw = _linear(layer_in, w_ih, b_ih)
                steps = _steps(xw, sizes) if sizes else ()
                res, h, c = _run_direction(step, steps, sizes, h0[idx],
                                           None if c0 is None else c0[idx], w_hh, b_hh, w_hr,
                                           relu, direction == 1)
                outs.append(cat(res, 0) if res else xw.new_zeros((0, real)))
                h_n.append(h)
                c_n.append(c)
            layer_in = outs[0] if num_directions == 1 else cat(outs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        from ...ops.shape import stack

        h_out = stack(h_n, 0)
        c_out = stack(c_n, 0) if lstm else None
        if packed:
            output = _packed(layer_in, batch_sizes, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_out = h_out.index_select(1, unsorted_indices)
                if lstm:
                    c_out = c_out.index_select(1, unsorted_indices)
        else:
            output = layer_in.reshape(len(sizes), batch, -1)
            if batched and self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(1)
                h_out = h_out.squeeze(1)
                if lstm:
                    c_out = c_out.squeeze(1)
        return output, ((h_out, c_out) if lstm else h_out)

    def _initial_state(self, input, hx, batched, packed, batch, real, data, sorted_indices):
        num_directions = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        if hx is None:
            shape = (self.num_layers * num_directions, batch, real)
            h0 = zeros(shape, dtype=data.dtype, device=data.device)
            if not lstm:
                return h0
            c0 = zeros(shape[:2] + (self.hidden_size,), dtype=data.dtype, device=data.device)
            return h0, c0
        if lstm:
            h0, c0 = hx
            if not packed:
                if batched and (h0.dim() != 3 or c0.dim() != 3):
                    raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but "
                                       f"got ({h0.dim()}-D, {c0.dim()}-D) tensors")
                if not batched and (h0.dim() != 2 or c0.dim() != 2):
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D "
                                       f"but got ({h0.dim()}-D, {c0.dim()}-D) tensors")
                if not batched:
                    h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            elif sorted_indices is not None:
                h0 = h0.index_select(1, sorted_indices)
                c0 = c0.index_select(1, sorted_indices)
            return h0, c0
        h0 = hx
        if not packed:
            if batched and h0.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{h0.dim()}-D tensor")
            if not batched and h0.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{h0.dim()}-D tensor")
            if not batched:
                h0 = h0.unsqueeze(1)
        elif sorted_indices is not None:
            h0 = h0.index_select(1, sorted_indices)
        return h0


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, optionally with projections (proj_size)."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# -- cells ---------------------------------------------------------------------------------------
class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device,
                                         dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device,
                                         dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, input, hx, n_states):
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(-1)} expected "
                               f"{self.input_size}")
        for h in (hx if isinstance(hx, tuple) else (hx,)):
            if h is not None and h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            z = zeros(x.size(0), self.hidden_size, dtype=x.dtype, device=x.device)
            hx = z if n_states == 1 else (z, z)
        elif not batched:
            hx = hx.unsqueeze(0) if n_states == 1 else tuple(h.unsqueeze(0) for h in hx)
        for i, h in enumerate(hx if n_states > 1 else (hx,)):
            if h.size(0) != x.size(0):
                raise RuntimeError(f"Input batch size {x.size(0)} doesn't match hidden{i} batch "
                                   f"size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        return x, hx, batched


class RNNCell(RNNCellBase):
    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, h, batched = self._prepare(input, hx, 1)
        xw = _linear(x, self.weight_ih, self.bias_ih)
        out, _ = _rnn_step(xw, h, None, self.weight_hh, self.bias_hh, None,
                           self.nonlinearity == "relu")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h, c), batched = self._prepare(input, hx, 2)
        xw = _linear(x, self.weight_ih, self.bias_ih)
        h2, c2 = _lstm_step(xw, h, c, self.weight_hh, self.bias_hh, None)
        return (h2, c2) if batched else (h2.squeeze(0), c2.squeeze(0))


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x, h, batched = self._prepare(input, hx, 1)
        xw = _linear(x, self.weight_ih, self.bias_ih)
        out, _ = _gru_step(xw, h, None, self.weight_hh, self.bias_hh, None)
        return out if batched else out.squeeze(0)
