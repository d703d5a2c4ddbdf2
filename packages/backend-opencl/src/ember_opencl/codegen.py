"""OpenCL C generation: how each dtype is stored and computed, and the Source builder.

float16 and bfloat16 are stored as 16-bit words and computed in float (like PyTorch's
CPU kernels): float16 through ``vload_half``/``vstore_half_rte``, which OpenCL 1.2 has on
every device, so ``cl_khr_fp16`` is not needed; bfloat16 through bit shifts.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

BF16 = np.dtype(ml_dtypes.bfloat16)


class CType:
    """How one numpy dtype lives in OpenCL C."""

    def __init__(self, dtype, storage, compute, kind):
        self.dtype = np.dtype(dtype)
        self.storage = storage      # the pointer's element type
        self.c = compute            # the arithmetic type
        self.kind = kind            # 'b' bool, 'i' signed, 'u' unsigned, 'f' floating
        self.compute_dtype = np.dtype({"uchar": "u1", "char": "i1", "short": "i2", "int": "i4",
                                       "long": "i8", "float": "f4", "double": "f8"}[compute])

    def load(self, ptr, idx) -> str:
        if self.storage == "half":
            return f"vload_half({idx}, {ptr})"
        if self.dtype == BF16:
            return f"bf2f({ptr}[{idx}])"
        return f"{ptr}[{idx}]"

    def store(self, ptr, idx, value, src: CType) -> str:
        value = convert(value, src, self)
        if self.storage == "half":
            return f"vstore_half_rte({value}, {idx}, {ptr});"
        if self.dtype == BF16:
            return f"{ptr}[{idx}] = f2bf({value});"
        return f"{ptr}[{idx}] = {value};"

    def __repr__(self):
        return f"CType({self.dtype})"


_TABLE = {}
for _dt, _st, _c, _k in [("?", "uchar", "uchar", "b"), ("u1", "uchar", "uchar", "u"),
                         ("i1", "char", "char", "i"), ("i2", "short", "short", "i"),
                         ("i4", "int", "int", "i"), ("i8", "long", "long", "i"),
                         ("f2", "half", "float", "f"), ("f4", "float", "float", "f"),
                         ("f8", "double", "double", "f"), (BF16, "ushort", "float", "f")]:
    _TABLE[np.dtype(_dt)] = CType(_dt, _st, _c, _k)


def ctype(dtype) -> CType:
    found = _TABLE.get(dtype)
    if found is None:
        found = _TABLE.get(np.dtype(dtype))
        if found is None:
            raise TypeError(f"the OpenCL backend has no dtype {dtype}")
    return found


def convert(value: str, src: CType, dst: CType) -> str:
    """C expression converting a compute value of ``src`` to the compute type of ``dst``."""
    if dst.kind == "b":
        return value if src.kind == "b" else f"(({value}) != 0)"
    if src.c == dst.c:
        return value
    if src.kind == "f" and dst.kind in "iu" and dst.c in ("char", "uchar", "short"):
        return f"(({dst.c})(int)({value}))"  # as numpy: through int, wrapping
    return f"(({dst.c})({value}))"


# -- helper functions, included in a program when its body names them -------------------
def _float_helpers(t):
    return f"""
inline {t} np_floordiv_{t}({t} a, {t} b) {{
  {t} mod = fmod(a, b);
  if (b == 0) return a / b;
  {t} div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
  if (div == 0) return copysign(({t})0, a / b);
  {t} fd = floor(div);
  if (div - fd > ({t})0.5) fd += 1;
  return fd;
}}
inline {t} np_mod_{t}({t} a, {t} b) {{
  {t} mod = fmod(a, b);
  if (b == 0) return mod;
  if (mod != 0) {{ if ((b < 0) != (mod < 0)) mod += b; }} else mod = copysign(({t})0, b);
  return mod;
}}"""


def _int_helpers(t, signed):
    if signed:
        return f"""
inline {t} ifloordiv_{t}({t} a, {t} b) {{
  if (b == 0) return 0;
  if (b == -1) return ({t})(0 - a);
  {t} q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
  return q;
}}
inline {t} imod_{t}({t} a, {t} b) {{
  if (b == 0 || b == -1) return 0;
  {t} r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}}
inline {t} ipow_{t}({t} a, {t} b) {{
  if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
  {t} r = 1;
  while (b) {{ if (b & 1) r *= a; a *= a; b >>= 1; }}
  return r;
}}"""
    return f"""
inline {t} ifloordiv_{t}({t} a, {t} b) {{ return b == 0 ? 0 : a / b; }}
inline {t} imod_{t}({t} a, {t} b) {{ return b == 0 ? 0 : a % b; }}
inline {t} ipow_{t}({t} a, {t} b) {{
  {t} r = 1;
  while (b) {{ if (b & 1) r *= a; a *= a; b >>= 1; }}
  return r;
}}"""


HELPERS = {
    "bf2f": "inline float bf2f(ushort v) { return as_float(((uint)v) << 16); }",
    "f2bf": """inline ushort f2bf(float f) {
  uint u = as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (ushort)((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (ushort)(u >> 16);
}""",
}
for _t in ("float", "double"):
    HELPERS[f"np_floordiv_{_t}"] = _float_helpers(_t)
    HELPERS[f"np_logaddexp_{_t}"] = f"""
inline {_t} np_logaddexp_{_t}({_t} x, {_t} y) {{
  if (x == y) return x + ({_t})M_LN2;
  {_t} d = x - y;
  if (d > 0) return x + log1p(exp(-d));
  if (d <= 0) return y + log1p(exp(d));
  return d;
}}"""
for _t, _s in [("char", 1), ("short", 1), ("int", 1), ("long", 1), ("uchar", 0)]:
    HELPERS[f"ifloordiv_{_t}"] = _int_helpers(_t, _s)
_ALIASES = {f"np_mod_{t}": f"np_floordiv_{t}" for t in ("float", "double")}
_ALIASES.update({f"{p}_{t}": f"ifloordiv_{t}" for p in ("imod", "ipow")
                 for t in ("char", "short", "int", "long", "uchar")})


class Source:
    """One kernel being generated: parameters (with their scalar types) and body."""

    def __init__(self):
        self.params: list[str] = []
        self.arg_types: list = []
        self.lines: list[str] = []
        self.preamble: list[str] = []
        self.bounded = False

    @property
    def scalar_types(self) -> list:
        return self.arg_types + ([np.dtype("i8")] if self.bounded else [])

    def buffer(self, name, dtype, const=False):
        t = ctype(dtype).storage
        self.params.append(f"__global {'const ' if const else ''}{t}* {name}")
        self.arg_types.append(None)

    def scalar(self, name, dtype):
        self.params.append(f"{ctype(dtype).c} {name}")
        self.arg_types.append(ctype(dtype).compute_dtype)

    def longs(self, names):
        for n in names:
            self.params.append(f"long {n}")
            self.arg_types.append(np.dtype("i8"))

    def index(self, var="gid") -> str:
        """The work-item number, returning past the last one: kernels are launched with a
        fixed work-group size (``Device.launch``), so the grid is rounded up to it."""
        self.bounded = True
        return f"  long {var} = get_global_id(0); if ({var} >= N_) return;"

    def __call__(self, *lines):
        self.lines.extend(lines)
        return self

    def head(self, device) -> list:
        """The blocks before the kernel: pragmas, the helpers its body uses, its preamble."""
        body = "\n".join(self.lines)
        head = []
        if device.fp64:
            head.append("#pragma OPENCL EXTENSION cl_khr_fp64 : enable")
        for name, code in HELPERS.items():
            if name in body or any(a in body for a, t in _ALIASES.items() if t == name):
                head.append(code)
        return head + self.preamble

    def kernel_text(self, name) -> str:
        params = ",\n    ".join(self.params + (["long N_"] if self.bounded else []))
        body = "\n".join(self.lines)
        return f"__kernel void {name}(\n    {params})\n{{\n{body}\n}}\n"

    def text(self, device) -> str:
        return program_text([self], device)


def program_text(sources, device) -> str:
    """One program holding the kernels of ``sources``, named k0, k1, ... in order."""
    head = []
    for src in sources:
        head += [block for block in src.head(device) if block not in head]
    return "\n".join(head + [src.kernel_text(f"k{i}") for i, src in enumerate(sources)])
