"""The CUDA C sources of the backend (``csrc/``) as it compiles them: headers inlined.

Free of CuPy, so that the sources can be checked (compiled) on machines without it.
"""

from __future__ import annotations

import re
from importlib import resources

OPTIONS = ("--std=c++17",)
_INCLUDE = re.compile(r'^#include "([\w.]+)"$', re.M)


def kernel_files() -> list[str]:
    return sorted(p.name for p in (resources.files("ember_cuda") / "csrc").iterdir()
                  if p.name.endswith(".cu"))


def source(name: str) -> str:
    """``csrc/<name>`` with its ``#include "..."`` headers inlined (CuPy's kernel cache is
    keyed by the source text, so a changed header must change the text)."""
    text = (resources.files("ember_cuda") / "csrc" / name).read_text()
    return _INCLUDE.sub(lambda m: source(m.group(1)), text)
