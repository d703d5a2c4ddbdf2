"""Training steps on the OpenCL backend against ember's cpu backend (issue 5 targets on
PoCL here: the MLP step at most 3x the cpu backend's time, the CNN step at most 5x).

The models, data and optimizers are training.py's; both backends start from the same
weights. Prints a note and exits 0 without an OpenCL device.

    python benchmarks/opencl_training.py [--only mlp,cnn] [--mlp-batch 128] [--cnn-batch 64]
"""

from __future__ import annotations

import argparse
import sys

from _harness import rerun_without_blas_overrides

rerun_without_blas_overrides()  # before NumPy is imported

from _harness import blas_report, compare, opencl_backend, opencl_sync, show  # noqa: E402
from training import _setup  # noqa: E402

import ember  # noqa: E402


def time_steps(name, batch, number):
    cands = {}
    for dev in ("cpu", "opencl"):
        ember.manual_seed(0)
        step = _setup(ember, name, dev, batch)
        step()  # builds the kernels

        def run(step=step, dev=dev):
            step()
            if dev == "opencl":
                opencl_sync()
        cands[dev] = run
    times = compare(cands, number, repeats=5)
    target = {"mlp": 3, "cnn": 5}[name]
    show(f"{name} training step, batch {batch} (per step; target opencl <= {target}x cpu)",
         times, unit="ms", baseline="cpu")


def main(argv):
    ember_opencl = opencl_backend()
    if ember_opencl is None:
        return
    p = argparse.ArgumentParser()
    p.add_argument("--only", default="mlp,cnn")
    p.add_argument("--mlp-batch", type=int, default=128)
    p.add_argument("--cnn-batch", type=int, default=64)
    args = p.parse_args(argv)
    print("OpenCL devices:", ember_opencl.devices())
    print("BLAS:", blas_report())
    only = args.only.split(",")
    for name, batch, number in (("mlp", args.mlp_batch, 20), ("cnn", args.cnn_batch, 3)):
        if name in only:
            time_steps(name, batch, number)


if __name__ == "__main__":
    main(sys.argv[1:])
