"""Write the special-function fixture of the conformance suite from real PyTorch.

    python packages/core/tools/make_special_fixtures.py

PyTorch is the oracle here only; ember and its tests never import it. For each special
function the fixture (``ember/testing/conformance/data/special.json``) holds inputs that
bfloat16 and float16 represent exactly, and PyTorch's float64 results, so kernels of every
floating dtype can be checked against the same table.
"""

from __future__ import annotations

import json
import math
import pathlib

import torch

OUT = (pathlib.Path(__file__).resolve().parents[1] / "src" / "ember" / "testing" /
       "conformance" / "data" / "special.json")

_GRID = [-6.0, -3.5, -2.25, -1.5, -1.0, -0.75, -0.5, -0.25, -0.125, 0.0, 0.125, 0.25, 0.5,
         0.75, 1.0, 1.5, 2.25, 3.5, 6.0, 10.0]
_POSITIVE = [x for x in _GRID if x > 0] + [0.0078125, 20.0, 40.0]
_UNIT = [-0.96875, -0.75, -0.5, -0.25, -0.125, 0.0, 0.125, 0.25, 0.5, 0.75, 0.9375]
_NOT_POLES = [x for x in _GRID if not (x <= 0 and x == int(x))]

FUNCTIONS = {
    "erf": (torch.special.erf, _GRID),
    "erfc": (torch.special.erfc, _GRID),
    "erfinv": (torch.special.erfinv, _UNIT),
    "lgamma": (torch.lgamma, _NOT_POLES + [0.0078125, 20.0]),
    "digamma": (torch.special.digamma, _NOT_POLES + [0.0078125, 20.0]),
    "i0": (torch.special.i0, _GRID),
    "i0e": (torch.special.i0e, _GRID),
    "i1": (torch.special.i1, _GRID),
    "i1e": (torch.special.i1e, _GRID),
}
SPECIAL_VALUES = {  # edge cases: infinities, NaN, poles
    "erf": [math.inf, -math.inf, math.nan],
    "erfc": [math.inf, -math.inf, math.nan],
    "erfinv": [1.0, -1.0, 1.5, math.nan],
    "lgamma": [0.0, -1.0, -2.0, math.inf, -math.inf, math.nan],
    "digamma": [0.0, -1.0, math.inf, math.nan],
    "i0": [math.inf, -math.inf, math.nan],
    "i0e": [math.inf, math.nan],
    "i1": [math.inf, -math.inf, math.nan],
    "i1e": [math.inf, -math.inf, math.nan],
}


def _encode(values):
    return [v if math.isfinite(v) else str(v) for v in values]


def main():
    fixture = {"torch_version": torch.__version__, "functions": {}, "polygamma": {}}
    for name, (fn, grid) in FUNCTIONS.items():
        x = torch.tensor(grid + SPECIAL_VALUES[name], dtype=torch.float64)
        fixture["functions"][name] = {"x": _encode(x.tolist()), "y": _encode(fn(x).tolist()),
                                      "special_from": len(grid)}
    x = torch.tensor(_POSITIVE, dtype=torch.float64)
    for n in range(4):
        fixture["polygamma"][str(n)] = {"x": _encode(x.tolist()),
                                        "y": _encode(torch.special.polygamma(n, x).tolist())}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=0, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
