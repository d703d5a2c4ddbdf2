"""Shared benchmark harness: alternating runs, medians, and a report of the BLAS in use.

It does not import NumPy, so a script may call ``rerun_without_blas_overrides`` after
importing it and before NumPy.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

# NumPy's OpenBLAS picks a slower kernel when these are set (this project's machines set
# them for the test suite)
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def env_without_blas_overrides() -> dict:
    return {k: v for k, v in os.environ.items() if k not in BLAS_OVERRIDES}


def rerun_without_blas_overrides() -> None:
    """Run this script again without BLAS_OVERRIDES and exit with its status, if any is set
    (call it before anything imports NumPy)."""
    if any(k in os.environ for k in BLAS_OVERRIDES):
        sys.exit(subprocess.call([sys.executable, *sys.argv], env=env_without_blas_overrides()))


def per_call(fn, number):
    """Seconds per call of ``fn`` over ``number`` calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def compare(candidates: dict, number: int, repeats: int = 7, warmup: int = 1) -> dict:
    """Median seconds per call for each candidate, measured alternately so drift hits all."""
    for fn in candidates.values():
        for _ in range(warmup):
            per_call(fn, max(1, number // 10))
    samples = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            samples[name].append(per_call(fn, number))
    return {name: statistics.median(times) for name, times in samples.items()}


def blas_report() -> str:
    """Which BLAS kernel NumPy runs (the figures depend on it)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    rows = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
            f"threads={i.get('num_threads')} ({i.get('filepath', '').rsplit('/', 1)[-1]})"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(rows) or "no BLAS found"


def show(title: str, times: dict, unit: str = "us", baseline: str | None = None) -> None:
    scale = {"us": 1e6, "ms": 1e3, "s": 1.0}[unit]
    print(f"\n{title}")
    for name, t in times.items():
        ratio = f"  ({t / times[baseline]:.2f}x {baseline})" if baseline and name != baseline \
            else ""
        print(f"  {name:<10} {t * scale:10.2f} {unit}{ratio}")


def opencl_backend():
    """``ember_opencl`` when it is installed and finds a device; else None, saying why."""
    try:
        import ember_opencl
    except ImportError:
        print("ember-backend-opencl is not installed: opencl benchmarks skipped")
        return None
    if not ember_opencl.is_available():
        print("no OpenCL device here: opencl benchmarks skipped "
              f"({ember_opencl.unavailable_reason()})")
        return None
    return ember_opencl


def opencl_sync() -> None:
    """Wait for the OpenCL queue (timings of asynchronous launches need it)."""
    from ember.backends.plugins import registry

    registry.get("opencl").synchronize()
