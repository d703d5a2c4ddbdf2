"""Random numbers from Philox4x32-10, a counter-based generator.

The generator object is a 64-bit key (the seed) and a 64-bit call counter: call number c
of a generator draws block g from counter (g, c), so the same seed gives the same numbers
on every OpenCL device, whatever the work-group layout.
"""

from __future__ import annotations

import math
import struct

import numpy as np

from .array import empty
from .codegen import Source, ctype

PHILOX = """
inline uint4 philox(uint4 c, uint2 k) {
  for (int r = 0; r < 10; r++) {
    if (r) { k.x += 0x9E3779B9u; k.y += 0xBB67AE85u; }
    uint lo0 = 0xD2511F53u * c.x, hi0 = mul_hi(0xD2511F53u, c.x);
    uint lo1 = 0xCD9E8D57u * c.z, hi1 = mul_hi(0xCD9E8D57u, c.z);
    c = (uint4)(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}
"""


class Philox:
    """The backend's generator object: seed and how many draws it has made."""

    def __init__(self, seed, device):
        self.seed = int(seed) % 2**64
        self.calls = 0
        self.device = device

    def next_call(self) -> int:
        c = self.calls
        self.calls += 1
        return c

    def state(self) -> bytes:
        return struct.pack("<QQ", self.seed, self.calls)

    def set_state(self, state: bytes) -> None:
        self.seed, self.calls = struct.unpack("<QQ", bytes(state))


# dist: (values per block, C statements setting v[0..] from r (uint4), params p0, p1)
def _dist(dist, wide):
    if dist == "uniform":
        if wide:
            return 2, ["double u[2] = {(double)((((ulong)r.x << 32) | r.y) >> 11) * 0x1.0p-53,",
                       "  (double)((((ulong)r.z << 32) | r.w) >> 11) * 0x1.0p-53};",
                       "double v[2] = {p0 + u[0] * (p1 - p0), p0 + u[1] * (p1 - p0)};"]
        return 4, ["float v[4];",
                   "for (int j = 0; j < 4; j++) { uint w = j == 0 ? r.x : j == 1 ? r.y : "
                   "j == 2 ? r.z : r.w;",
                   "  v[j] = p0 + (float)(w >> 8) * 0x1.0p-24f * (p1 - p0); }"]
    if dist == "normal":
        if wide:
            return 2, ["double u1 = (double)(((((ulong)r.x << 32) | r.y) >> 11) + 1) * 0x1.0p-53;",
                       "double u2 = (double)((((ulong)r.z << 32) | r.w) >> 11) * 0x1.0p-53;",
                       "double rad = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;",
                       "double v[2] = {p0 + p1 * rad * cos(th), p0 + p1 * rad * sin(th)};"]
        return 4, ["float v[4];",
                   "for (int j = 0; j < 2; j++) {",
                   "  uint a = j ? r.z : r.x, b = j ? r.w : r.y;",
                   "  float u1 = (float)((a >> 8) + 1) * 0x1.0p-24f;",
                   "  float u2 = (float)(b >> 8) * 0x1.0p-24f;",
                   "  float rad = sqrt(-2.0f * log(u1)), th = 2.0f * M_PI_F * u2;",
                   "  v[2 * j] = p0 + p1 * rad * cos(th); v[2 * j + 1] = p0 + p1 * rad * sin(th);",
                   "}"]
    # randint: p0 = low, p1 = the range size (as ulong)
    return 2, ["long v[2] = {p0 + (long)((((ulong)r.x << 32) | r.y) % (ulong)p1),",
               "  p0 + (long)((((ulong)r.z << 32) | r.w) % (ulong)p1)};"]


def draw(gen, dist, shape, p0, p1, dtype):
    """Fill a new array of ``shape`` with ``dist`` samples (params p0, p1)."""
    dtype = np.dtype(dtype)
    dev = gen.device
    out = empty(dev, shape, dtype)
    n = out.size
    call = gen.next_call()
    if n == 0:
        return out
    wide = dtype.char == "d"
    per, _ = _dist(dist, wide)
    knl = dev.kernel(("random", dist, dtype), lambda: _source(dist, wide, dtype), dist)
    pt = np.dtype("i8") if dist == "randint" else np.dtype("f8" if wide else "f4")
    dev.launch(knl, math.ceil(n / per), out.data, n, gen.seed & 0xFFFFFFFF,
        gen.seed >> 32, call & 0xFFFFFFFF, call >> 32, pt.type(p0), pt.type(p1))
    return out


def _source(dist, wide, dtype):
    per, body = _dist(dist, wide)
    vt = ctype(np.dtype("i8") if dist == "randint" else np.dtype("f8" if wide else "f4"))
    src = Source()
    src.preamble.append(PHILOX)
    src.buffer("out", dtype)
    src.longs(["n"])
    u32 = np.dtype("u4")
    for name in ("k0", "k1", "c0", "c1"):
        src.params.append(f"uint {name}")
        src.arg_types.append(u32)
    src.scalar("p0", vt.dtype)
    src.scalar("p1", vt.dtype)
    t = ctype(dtype)
    src(src.index("g"),
        "  uint4 r = philox((uint4)((uint)g, (uint)(g >> 32), c0, c1), (uint2)(k0, k1));",
        *["  " + line for line in body],
        f"  for (int j = 0; j < {per}; j++) {{",
        f"    long i = g * {per} + j;",
        "    if (i < n) " + t.store("out", "i", "v[j]", vt),
        "  }")
    return src


def uniform(gen, shape, low, high, dtype):
    return draw(gen, "uniform", shape, low, high, dtype)


def normal(gen, shape, mean, std, dtype):
    return draw(gen, "normal", shape, mean, std, dtype)


def randint(gen, low, high, shape, dtype):
    if high <= low:
        raise ValueError(f"low >= high in randint: [{low}, {high})")
    span = high - low
    return draw(gen, "randint", shape, low, span if span < 2**63 else span - 2**64, dtype)


def randperm(gen, n, dtype):
    from .elementwise import astype
    from .sort import sort_lines

    keys = randint(gen, 0, 2**62, (1, n), np.dtype("i8"))
    _, order = sort_lines(keys)
    order = order.view_of(order.offset, (n,), (1,))
    return astype(order, dtype)


def philox_reference(counter, key):
    """Philox4x32-10 in Python (for tests): four uint32 counter words, two key words."""
    c, k = list(counter), list(key)
    mask = 0xFFFFFFFF
    for r in range(10):
        if r:
            k = [(k[0] + 0x9E3779B9) & mask, (k[1] + 0xBB67AE85) & mask]
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & mask, (p0 >> 32) ^ c[3] ^ k[1], p0 & mask]
    return c
