"""Shared benchmark harness: alternating runs, medians, and a report of the BLAS in use."""

from __future__ import annotations

import statistics
import time


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
