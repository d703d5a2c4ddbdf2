"""Every CUDA kernel of the backend (``csrc/``), run on the CPU emulator (``emulator/``), against
the core decompositions, NumPy references and ember's single-tensor optimizers: float32 and
float64, rows shorter and longer than a block. Needs g++ only (no GPU, no CuPy).

``ember_cuda.kernels`` and ``ember_cuda.optimizers`` are imported afresh over the fake
``cupy`` for this module; ``sys.modules`` gets its entries back at the end.
"""

import functools
import importlib.util
import shutil
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import ember
import ember_cuda
from ember.backends import decompositions
from ember.optim.adam import _single_tensor_adam
from ember.optim.sgd import _single_tensor_sgd
from ember.testing.conformance.fake import FakeBackend, registered

EMULATOR = Path(__file__).with_name("emulator")
SOURCES = Path(ember_cuda.__file__).parent
DTYPES = [np.float32, np.float64]
PROBE = """#include <ucontext.h>
#include <string_view>
int main() { ucontext_t c; return getcontext(&c); }
"""  # C++17 and ucontext


def _fresh(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compiler_problem(tmp):
    """Why g++ cannot build the emulator here (C++17 and ucontext), or ''."""
    if shutil.which("g++") is None:
        return "g++ is not installed"
    result = subprocess.run(["g++", "-std=c++17", "-x", "c++", "-", "-o", str(tmp / "probe")],
                            input=PROBE, capture_output=True, text=True)
    return result.stderr if result.returncode else ""


@pytest.fixture(scope="module")
def cuda(tmp_path_factory):
    """The fake cupy and ember_cuda's kernels and optimizers modules imported over it."""
    build = tmp_path_factory.mktemp("cuda_emulator")
    problem = _compiler_problem(build)
    if problem:
        pytest.skip(f"the CUDA emulator needs g++ with C++17 and <ucontext.h>: {problem}")
    fake = _fresh("fake_cupy", EMULATOR / "fake_cupy.py")
    fake.build_dir = build
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "cupy", fake)
        kernels = _fresh("ember_cuda.kernels", SOURCES / "kernels.py")
        patch.setitem(sys.modules, "ember_cuda.kernels", kernels)  # optimizers imports it
        optimizers = _fresh("ember_cuda.optimizers", SOURCES / "optimizers.py")
        yield types.SimpleNamespace(cupy=fake, kernels=kernels, optimizers=optimizers)


@pytest.fixture(scope="module")
def cpu():
    return ember.backends.registry.get("cpu").kernels


def _decomposed(cpu, name):
    return functools.partial(getattr(decompositions, name), cpu)


def _arrays(seed, dtype, *shapes):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * 2).astype(dtype) for s in shapes]


def _close(actual, expected, dtype):
    actual = actual if isinstance(actual, tuple) else (actual,)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(actual) == len(expected)
    tol = 2e-5 if dtype == np.float32 else 1e-12
    for a, e in zip(actual, expected):
        assert (a is None) == (e is None)
        if a is not None:
            assert a.shape == e.shape and a.dtype == e.dtype
            np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=tol, atol=tol)


def _both(cuda, cpu, name, *args):
    """The fused kernel on device copies of args against the decomposition on args."""
    device_args = [cuda.cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in args]
    out = getattr(cuda.kernels, name)(*device_args)
    assert out is not None, f"{name}: the fused kernel did not apply"
    _close(out, _decomposed(cpu, name)(*args), args[0].dtype)
    return out


# -- Philox4x32-10 (philox.cu) against a NumPy implementation ---------------------------------
_M0, _M1, _W0, _W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
_KNOWN = [  # Random123's known-answer vectors: counter, key, output
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def _philox(counters, k0, k1):
    """Philox4x32-10 of counters (n, 4) under key (k0, k1): (n, 4) uint64 words."""
    c = [np.asarray(counters, np.uint64)[:, i] for i in range(4)]
    low = np.uint64(0xFFFFFFFF)
    for _ in range(10):
        p0, p1 = np.uint64(_M0) * c[0], np.uint64(_M1) * c[2]
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ np.uint64(k0), p1 & low,
             (p0 >> np.uint64(32)) ^ c[3] ^ np.uint64(k1), p0 & low]
        k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return np.stack(c, axis=1)


def _words(seed, offset, count):
    """The first count words of the stream at (seed, offset): counters offset, offset + 1, ..."""
    blocks = np.arange(offset, offset + (count + 3) // 4, dtype=np.uint64)
    counters = np.stack([blocks & np.uint64(0xFFFFFFFF), blocks >> np.uint64(32),
                         0 * blocks, 0 * blocks], axis=1)
    return _philox(counters, seed & 0xFFFFFFFF, seed >> 32).reshape(-1)[:count]


def _uniform01(seed, offset, n):
    """Doubles in [0, 1) with 53 bits: (word 2i >> 5) * 2^26 + (word 2i+1 >> 6), over 2^53."""
    w = _words(seed, offset, 2 * n)
    return ((w[0::2] >> np.uint64(5)) * 2.0**26 + (w[1::2] >> np.uint64(6))) / 2.0**53


def test_numpy_philox_gives_the_known_answers():
    for counter, key, expected in _KNOWN:
        assert _philox([counter], *key).tolist() == [list(expected)]


SEED = 2**40 + 12345  # both key words non-zero


def test_philox_uniform(cuda):
    gen = cuda.kernels.Philox(SEED, 0)
    out = gen.uniform((7, 143), -2.0, 3.0)  # 1001 values: four blocks of 256 threads
    assert out.dtype == np.float64 and out.shape == (7, 143)
    np.testing.assert_allclose(out.ravel(), -2.0 + 5.0 * _uniform01(SEED, 0, 1001), rtol=1e-15)
    assert gen.offset > (2 * 1001 - 1) // 4  # the next draw starts after the counters used
    second_offset = gen.offset
    again = gen.uniform((300,), 0.0, 1.0)
    np.testing.assert_array_equal(again, _uniform01(SEED, second_offset, 300))


def test_philox_normal(cuda):
    gen = cuda.kernels.Philox(SEED, 0)
    gen.offset = 5
    out = gen.normal((1001,), 1.5, 2.0)
    u = _uniform01(SEED, 5, 1002)
    radius, angle = np.sqrt(-2 * np.log(1 - u[0::2])), 2 * np.pi * u[1::2]
    expected = 1.5 + 2.0 * np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    np.testing.assert_allclose(out, expected.reshape(-1)[:1001], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("low, high", [(-5, 1000), (0, 2**32), (-(2**40), 2**41)])
def test_philox_randint(cuda, low, high):
    out = cuda.kernels.Philox(SEED, 0).randint((513,), low, high)
    w = _words(SEED, 0, 2 * 513)
    bits = (w[0::2] << np.uint64(32)) | w[1::2]
    assert out.dtype == np.int64
    assert out.tolist() == [low + int(b) % (high - low) for b in bits]


def test_philox_kernel_gives_the_known_answer(cuda):
    # seed 0, offset 0: counter 0 and key 0, whose words 1 and 3 (Random123's first vector)
    # are the low halves of the first two values
    out = cuda.kernels.Philox(0, 0).randint((2,), 0, 2**32)
    assert out.tolist() == [0xE169C58D, 0x9B00DBD8]


# -- dropout (dropout.cu): the mask of the unfused path, from the same stream ----------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.25, 0.5])
def test_dropout_draws_the_decomposition_stream(cuda, cpu, dtype, p):
    table = types.SimpleNamespace(**{  # the backend's uniform: Philox.uniform, then astype
        **vars(cpu), "uniform": lambda gen, shape, low, high, kind: gen.uniform(
            shape, low, high).astype(kind.numpy, copy=False)})
    (x,) = _arrays(6, dtype, (37, 29))
    fused_gen, core_gen = cuda.kernels.Philox(42, 0), cuda.kernels.Philox(42, 0)
    out, mask = cuda.kernels.dropout(fused_gen, cuda.cupy.asarray(x), p)
    expected_out, expected_mask = decompositions.dropout(table, core_gen, x, p)
    np.testing.assert_array_equal(mask, expected_mask)
    np.testing.assert_array_equal(out, expected_out)
    assert fused_gen.offset == core_gen.offset > 0
    scale = dtype(1 / (1 - p))
    assert set(np.unique(mask).tolist()) == {0.0, float(scale)}
    assert abs(float((mask != 0).mean()) - (1 - p)) < 0.05
    keep = _uniform01(42, 0, x.size).astype(dtype).reshape(x.shape) >= dtype(p)
    np.testing.assert_array_equal(mask != 0, keep)
    again = cuda.kernels.dropout(fused_gen, cuda.cupy.asarray(x), p)[1]
    assert not np.array_equal(again, mask)  # the generator advanced


# -- softmax.cu -------------------------------------------------------------------------------
# Rows of 7 (one partial warp), 100 (not a multiple of 32) and 300 (above the 256 threads).
_ROWS = [(3, 7), (2, 300), (2, 3, 100)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape", _ROWS)
def test_softmax(cuda, cpu, dtype, log, shape):
    (x,) = _arrays(7, dtype, shape)
    out = cuda.kernels.softmax(cuda.cupy.asarray(x), x.ndim - 1, log)
    name = "log_softmax" if log else "softmax"
    _close(out, _decomposed(cpu, name)(x, x.ndim - 1), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
def test_softmax_extreme_rows(cuda, cpu, dtype, log):
    x = np.array([[1000.0, 1000.0, -1000.0, 0.0], [-np.inf, 0.0, 1.0, -np.inf],
                  [-np.inf] * 4, [np.inf, 0.0, 1.0, 2.0]], dtype)
    out = cuda.kernels.softmax(cuda.cupy.asarray(x), 1, log)
    expected = _decomposed(cpu, "log_softmax" if log else "softmax")(x, 1)
    _close(out, expected, dtype)
    assert np.isfinite(out[:2, 1:3]).all() and np.isnan(out[2]).all()


# -- norm.cu ----------------------------------------------------------------------------------
# (shape, normalised axes): rows of 7, 300 and 120 (two axes); 70 rows make three chunks of
# rows in the weight and bias gradients.
_NORM_CASES = [((3, 7), 1), ((2, 300), 1), ((2, 3, 40), 2), ((70, 5), 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, ndim", _NORM_CASES)
def test_layer_norm(cuda, cpu, dtype, shape, ndim):
    tail = shape[len(shape) - ndim:]
    x, w, b, g = _arrays(1, dtype, shape, tail, tail, shape)
    x += 3  # a mean far from zero
    for weight, bias in [(w, b), (None, None), (w, None)]:
        _, mean, rstd = _both(cuda, cpu, "layer_norm", x, weight, bias, ndim, 1e-5)
        mean, rstd = np.asarray(mean), np.asarray(rstd)
        for mask in [(True, True, True), (True, False, False), (False, True, True)]:
            mask = (mask[0], mask[1] and weight is not None, mask[2])
            _both(cuda, cpu, "layer_norm_backward", g, x, mean, rstd, weight, ndim, mask)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, ndim", _NORM_CASES)
def test_rms_norm(cuda, cpu, dtype, shape, ndim):
    tail = shape[len(shape) - ndim:]
    x, w, g = _arrays(2, dtype, shape, tail, shape)
    for weight in (w, None):
        _, rstd = _both(cuda, cpu, "rms_norm", x, weight, ndim, 1e-6)
        for mask in [(True, True), (True, False), (False, True)]:
            mask = (mask[0], mask[1] and weight is not None)
            _both(cuda, cpu, "rms_norm_backward", g, x, np.asarray(rstd), weight, ndim, mask)


# -- cross_entropy.cu -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rows, cols", [(4, 10), (3, 1), (2, 300), (5, 33)])
def test_cross_entropy(cuda, cpu, dtype, rows, cols):
    x, g = _arrays(3, dtype, (rows, cols), (rows,))
    x *= 3
    target = np.random.default_rng(4).integers(0, cols, rows)
    _, lse = _both(cuda, cpu, "cross_entropy", x, target)
    _both(cuda, cpu, "cross_entropy_backward", g, x, target, np.asarray(lse))
    strided = cuda.cupy.asarray(np.ascontiguousarray(x.T)).T  # copied before the kernel
    out = cuda.kernels.cross_entropy(strided, cuda.cupy.asarray(target))
    _close(out, _decomposed(cpu, "cross_entropy")(x, target), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_extreme_logits(cuda, cpu, dtype):
    x = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, 0.0, 1.0], [0.5, -np.inf, 2.0]], dtype)
    target = np.array([2, 1, 0])
    losses, lse = _both(cuda, cpu, "cross_entropy", x, target)
    assert np.isfinite(losses).all() and np.isfinite(lse).all()
    g = np.ones(3, dtype)
    _both(cuda, cpu, "cross_entropy_backward", g, x, target, np.asarray(lse))


# -- gelu.cu ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu(cuda, cpu, dtype, approximate):
    x, g = _arrays(5, dtype, (3, 300), (3, 300))
    x *= 2  # tails to about +-12
    out, aux = cuda.kernels.gelu(cuda.cupy.asarray(x), approximate)
    assert aux is None  # the backward recomputes Phi(x)
    _close(out, _decomposed(cpu, "gelu")(x, approximate)[0], dtype)
    _both(cuda, cpu, "gelu_backward", g, x, None, approximate)
    strided = cuda.kernels.gelu(cuda.cupy.asarray(x)[:, ::2], approximate)[0]
    _close(strided, _decomposed(cpu, "gelu")(x[:, ::2], approximate)[0], dtype)


def test_no_kernel_where_none_applies(cuda):
    kernels, device = cuda.kernels, cuda.cupy.asarray
    half = device(np.ones((4, 8), np.float16))
    assert kernels.gelu(half, "none") is None
    assert kernels.layer_norm(half, None, None, 1, 1e-5) is None
    assert kernels.softmax(device(np.ones((4, 8))), 0) is None  # not the last axis
    assert kernels.cross_entropy(device(np.ones((0, 8))), device(np.ones(0, np.int64))) is None
    x = device(np.ones((4, 8), np.float32))
    assert kernels.layer_norm(x, x[0, :4], None, 1, 1e-5) is None  # weight not (8,)


# -- multi_tensor.cu: the optimizers' steps against ember's single-tensor ones ----------------
class _EmulatedDevice(FakeBackend):
    """Device ``emucuda``: tensors over the fake cupy's arrays, NumPy kernels otherwise."""

    def __init__(self, cupy):
        super().__init__(name="emucuda")
        self.cupy = cupy
        self.kernels.empty = lambda shape, dtype, index: cupy.empty(shape, dtype.numpy)

    def from_host(self, array, index):
        return self.cupy.asarray(array)


@pytest.fixture(scope="module")
def emucuda(cuda):
    with registered(_EmulatedDevice(cuda.cupy)) as name:
        yield name


_PARAM_SHAPES = [(3,), (5, 7), (70_000,)]  # the last spans two chunks of 65536
_SGD = [dict(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, maximize=False),
        dict(momentum=0.9, dampening=0.1, nesterov=False, weight_decay=0.01, maximize=True),
        dict(momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.0, maximize=False)]
_ADAM = [dict(amsgrad=False, weight_decay=0.0, decoupled_weight_decay=False, maximize=False),
         dict(amsgrad=True, weight_decay=0.01, decoupled_weight_decay=False, maximize=True),
         dict(amsgrad=False, weight_decay=0.01, decoupled_weight_decay=True, maximize=False)]


def _both_devices(arrays, device):
    return [ember.tensor(a, device=device) for a in arrays], [ember.tensor(a) for a in arrays]


def _close_tensors(actual, expected, dtype):
    for a, e in zip(actual, expected, strict=True):
        assert (a is None) == (e is None)
        if a is not None:
            _close(np.asarray(a._data), e.numpy(), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hyper", _SGD, ids=["plain", "momentum-decay-maximize", "nesterov"])
def test_multi_tensor_sgd(cuda, emucuda, dtype, hyper):
    params, expected = _both_devices(_arrays(10, dtype, *_PARAM_SHAPES), emucuda)
    bufs, expected_bufs = [None] * 3, [None] * 3
    for step in range(3):
        grads, ref_grads = _both_devices(_arrays(11 + step, dtype, *_PARAM_SHAPES), emucuda)
        cuda.optimizers.foreach_sgd(params, grads, bufs, lr=0.1, **hyper)
        _single_tensor_sgd(expected, ref_grads, expected_bufs, lr=0.1, **hyper)
        _close_tensors(params + bufs, expected + expected_bufs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hyper", _ADAM, ids=["adam", "amsgrad-decay-maximize", "adamw"])
def test_multi_tensor_adam(cuda, emucuda, dtype, hyper):
    params, expected = _both_devices(_arrays(20, dtype, *_PARAM_SHAPES), emucuda)
    zeros = [np.zeros(s, dtype) for s in _PARAM_SHAPES]
    state = [_both_devices(zeros, emucuda) for _ in range(3)]  # exp_avg, exp_avg_sq, max
    # the last parameter's state is older: its step differs, so it gets a launch of its own
    steps, expected_steps = ([ember.tensor(s) for s in (0.0, 0.0, 4.0)] for _ in range(2))
    for step in range(3):
        grads, ref_grads = _both_devices(_arrays(21 + step, dtype, *_PARAM_SHAPES), emucuda)
        kwargs = dict(beta1=0.9, beta2=0.999, lr=0.01, eps=1e-8, **hyper)
        cuda.optimizers.foreach_adam(params, grads, *(s[0] for s in state), steps, **kwargs)
        _single_tensor_adam(expected, ref_grads, *(s[1] for s in state), expected_steps,
                            **kwargs)
        _close_tensors(params, expected, dtype)
        for actual, reference in state[:3 if hyper["amsgrad"] else 2]:
            _close_tensors(actual, reference, dtype)
        assert [s.item() for s in steps] == [s.item() for s in expected_steps]


# -- the emulator itself ----------------------------------------------------------------------
_BAD = r"""
extern "C" __global__ void early_exit(float *out) {
    if (threadIdx.x == 0) return;  // thread 0 never reaches the barrier
    __syncthreads();
    out[threadIdx.x] = 1;
}
extern "C" __global__ void partial_warp(float *out) {
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1.0f, 16);  // lanes 16.. are missing
}
"""


def test_launch_cache_keys_on_sizes_as_well_as_addresses(cuda):
    """A freed address reused by a tensor of another size gets its own chunk list."""
    def column(*sizes):
        return [types.SimpleNamespace(data=types.SimpleNamespace(ptr=4096 * (i + 1)), size=n)
                for i, n in enumerate(sizes)]

    launch = cuda.optimizers._Launch()
    _, small_chunks = launch.arrays(column(10, 10))
    arrays, big_chunks = launch.arrays(column(10, 3 * cuda.optimizers._CHUNK))
    assert (small_chunks, big_chunks) == (2, 4)
    np.testing.assert_array_equal(arrays[-1], [10, 3 * cuda.optimizers._CHUNK])


def test_the_emulator_refuses_bad_launches_and_barriers(cuda):
    """What CUDA refuses or leaves undefined is an error, not a wrong value or a hang."""
    out = cuda.cupy.empty((64,), np.float32)
    module = cuda.cupy.RawModule(code=_BAD)
    with pytest.raises(RuntimeError, match="deadlock"):
        module.get_function("early_exit")((1,), (64,), (out,))
    with pytest.raises(RuntimeError, match="shuffle outside a full warp"):
        module.get_function("partial_warp")((1,), (8,), (out,))
    with pytest.raises(RuntimeError, match="more threads per block"):
        module.get_function("partial_warp")((1,), (2048,), (out,))
    softmax = cuda.kernels.module("softmax.cu", 0).get_function("softmax_f32")
    with pytest.raises(RuntimeError, match="argument 2 has 4 bytes; .* 8"):
        softmax((1,), (32,), (out, out, np.int32(64)))
    with pytest.raises(RuntimeError, match="takes 3 arguments, not 2"):
        softmax((1,), (32,), (out, out))
    with pytest.raises(TypeError, match="not on the device"):
        softmax((1,), (32,), (out, np.empty(64, np.float32), np.int64(64)))
