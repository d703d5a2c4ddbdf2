"""Run every benchmark script in this folder (``nox -s bench``), or those named.

    python benchmarks/run_all.py [core_ops training ...]

NumPy's OpenBLAS picks a slower kernel when OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set
(this project's machines set them for the test suite), so the runner removes both from
its own environment before anything imports NumPy, and each script reports the kernel.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from _harness import env_without_blas_overrides

HERE = Path(__file__).resolve().parent


def main(names):
    env = env_without_blas_overrides()
    scripts = [HERE / f"{n}.py" for n in names] if names else sorted(
        p for p in HERE.glob("*.py") if not p.name.startswith(("_", "run_all")))
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        if subprocess.call([sys.executable, str(script)], env=env, cwd=HERE.parent):
            failed.append(script.stem)
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
