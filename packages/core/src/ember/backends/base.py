"""The device contract: the ``Backend`` class and the op list every backend implements.

A kernel is a plain function on the backend's native arrays. Native arrays expose
``.shape`` (tuple), ``.dtype`` (a NumPy dtype), ``.ndim`` and ``.strides`` (bytes),
as NumPy and CuPy arrays do. Dtype arguments are ``ember.dtype`` objects; shapes are
tuples of ints; ``axes`` is a tuple of non-negative ints or None (all axes).

Elementwise kernels take an optional ``out=`` array that receives the result in place.
Binary elementwise kernels accept a Python scalar for either operand ("weak": the
array's dtype wins). Core promotes dtypes before calling a kernel, so array operands of
a binary kernel share one dtype.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Op:
    """One entry of the op list."""

    name: str
    signature: str
    doc: str
    required: bool


def _ops(required, table):
    return [Op(name, sig, doc, required) for name, sig, doc in table]


_UNARY = "(x, out=None)"
_BINARY = "(x, y, out=None)"

OPS: dict[str, Op] = {
    op.name: op
    for op in _ops(True, [
        # memory and creation
        ("full", "(shape, value, dtype, index)", "new array filled with value"),
        ("empty", "(shape, dtype, index)", "new uninitialised array"),
        ("arange", "(start, stop, step, dtype, index)", "values start, start+step, ... < stop"),
        ("astype", "(x, dtype)", "a converted copy"),
        ("copy", "(x)", "a contiguous copy"),
        ("assign", "(dst, src)", "dst[...] = src, broadcasting src"),
        # random numbers (gen: the backend's generator object)
        ("uniform", "(gen, shape, low, high, dtype)", "uniform samples in [low, high)"),
        ("normal", "(gen, shape, mean, std, dtype)", "normal samples"),
        ("randint", "(gen, low, high, shape, dtype)", "integers in [low, high)"),
        # elementwise
        *[(n, _UNARY, "elementwise " + n) for n in (
            "neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tanh",
            "floor", "ceil", "round", "trunc", "logical_not", "isnan", "bitwise_not")],
        *[(n, _BINARY, "elementwise " + n) for n in (
            "add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "maximum", "minimum",
            "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
            "bitwise_and", "bitwise_or", "bitwise_xor", "atan2")],
        ("where", "(cond, x, y)", "x where cond else y; cond is bool"),
        # reductions
        *[(n, "(x, axes, keepdims)", n + " over axes") for n in (
            "sum", "prod", "amax", "amin", "any", "all")],
        ("argmax", "(x, axis, keepdims)", "index of the first maximum; axis int or None"),
        ("argmin", "(x, axis, keepdims)", "index of the first minimum; axis int or None"),
        ("cumsum", "(x, axis)", "inclusive running sum"),
        ("cumprod", "(x, axis)", "inclusive running product"),
        # views (must share memory with x) and layout
        ("reshape", "(x, shape)", "a view when the strides allow it, else a copy"),
        ("permute", "(x, axes)", "view with axes reordered"),
        ("broadcast_to", "(x, shape)", "read-only broadcast view"),
        ("getitem", "(x, key)", "x[key]: key is a tuple of int, slice, None, Ellipsis and "
         "native int/bool arrays; basic keys give views"),
        ("setitem", "(x, key, value)", "x[key] = value in place"),
        ("index_add_at", "(x, key, value)", "x[key] += value in place, accumulating repeats"),
        ("concatenate", "(xs, axis)", "join along an existing axis"),
        ("flip", "(x, axes)", "reverse along axes"),
        # indexing
        ("take_along_axis", "(x, index, axis)", "gather"),
        ("put_along_axis", "(x, index, values, axis)", "x scatter values in place"),
        ("add_along_axis", "(x, index, values, axis)", "scatter_add in place, repeats add"),
        ("nonzero", "(x)", "tuple of int64 index arrays where x is nonzero"),
        ("sort", "(x, axis, descending, stable)", "(values, int64 indices)"),
        # linear algebra
        ("matmul", "(x, y)", "matrix product with batching and broadcasting"),
        ("einsum", "(equation, *xs)", "Einstein summation"),
    ])
    + _ops(False, [
        ("zeros", "(shape, dtype, index)", "full of zeros"),
        ("ones", "(shape, dtype, index)", "full of ones"),
        ("eye", "(n, m, dtype, index)", "identity matrix"),
        ("linspace", "(start, end, steps, dtype, index)", "evenly spaced values"),
        ("randperm", "(gen, n, dtype, index)", "a random permutation of range(n)"),
        ("bernoulli", "(gen, p, dtype)", "1 with probability p (an array) else 0"),
        ("reciprocal", _UNARY, "1 / x"),
        ("rsqrt", _UNARY, "1 / sqrt(x)"),
        ("sigmoid", _UNARY, "1 / (1 + exp(-x))"),
        ("relu", _UNARY, "max(x, 0)"),
        ("threshold_backward", "(g, x, threshold)", "g where x > threshold, else 0 (ReLU's "
         "gradient)"),
        ("square", _UNARY, "x * x"),
        ("clip", "(x, low, high)", "clamp between low and high (either may be None)"),
        ("mean", "(x, axes, keepdims)", "arithmetic mean"),
        ("var", "(x, axes, correction, keepdims)", "variance with Bessel-style correction"),
        ("logsumexp", "(x, axes, keepdims)", "log(sum(exp(x))) computed stably"),
        ("softmax", "(x, axis)", "exp(x) / sum(exp(x)) along axis"),
        ("log_softmax", "(x, axis)", "x - logsumexp(x) along axis"),
        ("tile", "(x, reps)", "repeat the whole array reps times per axis"),
        # convolution and pooling (nn): x is (N, C, *spatial); kernel_size, stride, padding
        # (symmetric zero padding) and dilation are tuples with one int per spatial axis
        ("im2col", "(x, kernel_size, stride, padding, dilation)",
         "sliding windows of zero-padded x as (N, C, *kernel_size, *out_spatial)"),
        ("col2im", "(cols, input_shape, kernel_size, stride, padding, dilation)",
         "the adjoint of im2col: window entries summed back into an input_shape array"),
        ("convolution", "(x, w, stride, padding, dilation, groups)",
         "cross-correlation of x with w (O, C/groups, *kernel_size): (N, O, *out_spatial)"),
        ("convolution_backward_input", "(g, w, input_shape, stride, padding, dilation, groups)",
         "the gradient of convolution w.r.t. x (a transposed convolution of g)"),
        ("convolution_backward_weight", "(x, g, weight_shape, stride, padding, dilation, groups)",
         "the gradient of convolution w.r.t. w"),
        ("max_pool", "(x, kernel_size, stride, padding, dilation, ceil_mode)",
         "(values, int64 indices): window maxima of x padded with -inf; each index is flat "
         "within its (n, c) input plane, the first maximum of the window"),
        ("max_pool_backward", "(g, indices, input_shape, overlapping)",
         "zeros of input_shape with g added at the flat per-plane indices (which may repeat "
         "only when overlapping is true)"),
    ])
    # fused nn ops and their gradients (decompositions in decompositions_nn); floating x.
    # ndim: how many trailing axes of x are normalised; mask: which gradients to compute
    # (the others are None); weight and bias are shaped as those axes, or None
    + _ops(False, [
        ("layer_norm", "(x, weight, bias, ndim, eps)",
         "(out, mean, rstd): (x - mean) * rstd * weight + bias over the last ndim axes, with "
         "rstd = 1 / sqrt(biased variance + eps); mean and rstd keep those axes as size 1"),
        ("layer_norm_backward", "(g, x, mean, rstd, weight, ndim, mask)",
         "(gx, gweight, gbias): layer_norm's gradients from its mean and rstd; mask is three "
         "bools"),
        ("rms_norm", "(x, weight, ndim, eps)",
         "(out, rstd): x * rstd * weight over the last ndim axes, with rstd = 1 / sqrt(mean(x "
         "* x) + eps) keeping those axes as size 1"),
        ("rms_norm_backward", "(g, x, rstd, weight, ndim, mask)",
         "(gx, gweight): rms_norm's gradients from its rstd; mask is two bools"),
        ("cross_entropy", "(x, target)",
         "(losses, lse) for logits x (N, C) and int64 target (N,) in [0, C): lse = "
         "logsumexp(x[n]) and losses = lse - x[n, target[n]], both (N,)"),
        ("cross_entropy_backward", "(g, x, target, lse)",
         "g[n] * (softmax(x[n]) - onehot(target[n])): the gradient of cross_entropy's losses "
         "for (N,) g, from its lse"),
        ("gelu", "(x, approximate)",
         "(out, aux): x * Phi(x) (approximate 'none') or its tanh approximation ('tanh'); aux "
         "is Phi(x), or tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)) for 'tanh', kept for "
         "gelu_backward, or None when gelu_backward recomputes it"),
        ("gelu_backward", "(g, x, aux, approximate)",
         "g * gelu'(x), aux being gelu's aux for x or None"),
        ("dropout", "(gen, x, p)",
         "(x * mask, mask): mask (x's dtype) is 1 / (1 - p) where a uniform draw in [0, 1) of "
         "x's dtype is >= p, else 0; 0 <= p < 1"),
    ])
    # the tensor library (decompositions in decompositions_special / decompositions_linalg)
    + _ops(False, [
        *[(n, _UNARY, "elementwise " + n + " (floating x)") for n in (
            "exp2", "log2", "log10", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
            "acosh", "atanh", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0", "i0e", "i1",
            "i1e")],
        ("signbit", _UNARY, "bool: whether x's sign bit is set (true for -0.0)"),
        ("polygamma", "(n, x, out=None)", "the n-th derivative of digamma (n a Python int)"),
        *[(n, _BINARY, "elementwise " + n + " (floating operands)") for n in (
            "copysign", "fmax", "fmin", "hypot", "logaddexp")],
        ("fmod", _BINARY, "C's fmod: remainder with the sign of x (integer or floating)"),
        ("bitwise_left_shift", _BINARY, "x << y on integers (0 for y outside [0, bits))"),
        ("bitwise_right_shift", _BINARY, "x >> y on integers, arithmetic (the sign for y "
         "outside [0, bits))"),
        ("cummax", "(x, axis)", "(running maximum, int64 index of its latest occurrence); "
         "NaN propagates"),
        ("cummin", "(x, axis)", "(running minimum, int64 index of its latest occurrence)"),
        ("logcumsumexp", "(x, axis)", "log(cumsum(exp(x))) computed stably"),
        ("searchsorted", "(sorted_sequence, values, right)",
         "int64 insertion indices along the last axis; sorted_sequence is 1-D or (..., n) "
         "with values (..., m) of the same leading shape; PyTorch's NaN order"),
        # linear algebra on (..., m, n) float32/float64 batches; info as LAPACK's
        ("lu_factor", "(a)", "(LU, pivots, info): P A = L U with partial pivoting; pivots "
         "(..., min(m, n)) 1-based int64; info (...) int64: first zero pivot (1-based) or 0"),
        ("lu_solve", "(lu, pivots, b)", "X with A X = B from lu_factor's LU and pivots"),
        ("triangular_solve", "(a, b, upper, left, unitriangular)",
         "X with A X = B (left) or X A = B, reading only a's upper or lower triangle"),
        ("cholesky", "(a)", "(L, info): A = L L^T from a's lower triangle; info (...) int64: "
         "order of the first leading minor that is not positive-definite, or 0"),
        ("qr", "(a, mode)", "(Q, R) by Householder reflections (LAPACK's signs); mode "
         "'reduced', 'complete' or 'r' (Q then an empty array)"),
        ("eigh", "(a)", "(eigenvalues ascending, eigenvectors as columns) of the symmetric "
         "matrix in a's lower triangle"),
        ("svd", "(a, full_matrices)", "(U, S descending, Vh) with A = U diag(S) Vh"),
        ("diagonal", "(x, offset, axis1, axis2)", "a writable view of x[..., i, i + offset] "
         "over axis1 and axis2, the diagonal moved last"),
        ("scatter_reduce", "(x, index, values, axis, reduce)", "x scatter-reduced in place "
         "along axis, values shaped as index, repeats combining; reduce: 'sum', 'prod', "
         "'amax' or 'amin' (NaN propagates)"),
    ])
}

REQUIRED = frozenset(name for name, op in OPS.items() if op.required)


class Kernels:
    """The kernel table of one backend: an attribute per op."""

    def __repr__(self):
        return f"<Kernels: {len(vars(self))} ops>"


class Backend:
    """A device type: data movement, random state and its kernel table.

    Subclasses set ``name`` and ``pip_name`` and fill ``self.kernels`` (usually from
    ``array_api.generic_kernels``); ``ember.backends.plugins`` then completes the table
    with core decompositions for the optional ops the backend leaves out.
    """

    name: str = ""
    pip_name: str = ""

    def __init__(self):
        self.kernels = Kernels()

    # -- devices ---------------------------------------------------------------
    def is_available(self) -> bool:
        return True

    def unavailable_reason(self) -> str:
        return ""

    def device_count(self) -> int:
        return 1

    def synchronize(self, index=None) -> None:
        """Wait for queued kernels on the device to finish."""

    def kernels_for(self, index):
        """The kernel table for device ``index`` (one table serves every device by default)."""
        return self.kernels

    # -- data movement ---------------------------------------------------------
    def from_host(self, array, index):
        """A native array on device ``index`` holding a NumPy array's values."""
        raise NotImplementedError

    def to_host(self, x):
        """A NumPy array with the values of native array ``x`` (shares memory where possible)."""
        raise NotImplementedError

    def shares_memory(self, x, y) -> bool:
        """Whether two native arrays may overlap in memory."""
        return False

    def data_ptr(self, x) -> int:
        """The address of x's first element."""
        raise NotImplementedError

    # -- random numbers --------------------------------------------------------
    def new_generator(self, seed: int, index):
        """A generator object for the random kernels, seeded with ``seed``."""
        raise NotImplementedError

    def generator_state(self, gen) -> bytes:
        raise NotImplementedError

    def set_generator_state(self, gen, state: bytes):
        raise NotImplementedError
