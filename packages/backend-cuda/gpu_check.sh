#!/usr/bin/env bash
# The GPU check of ember-backend-cuda, for a machine with an NVIDIA GPU (run from anywhere):
# the conformance suite on cuda, the backend's tests (each fused kernel against the core
# decomposition on the same GPU), the training examples on cuda, and the GPU benchmarks
# (matmul, launch overhead, the fused ops against torch), all within 8 minutes: each step
# runs under its own cap and never past the whole run's deadline. It installs ember from
# this checkout into a private folder without touching the network; CuPy (cupy-cuda13x),
# NumPy, pytest and torch must already be there.
# Wheels for anything else missing (ml_dtypes, pluggy, tqdm, Pillow) may be placed in
# ./.whl at the repository root and are installed from there.
set -uo pipefail
cd "$(dirname "$0")/../.."
SITE=${EMBER_GPU_SITE:-/tmp/ember-gpu-site}
LOG=${OUT:-/tmp}/gpu_check.log
status=0
DEADLINE=$((SECONDS + 470))  # 8 minutes less a margin for the last step's exit
step() { echo; echo "=== $* ==="; }
# run CAP CMD...: CMD under min(CAP, the time left before the deadline) seconds
run() {
    local cap=$1 left=$((DEADLINE - SECONDS)); shift
    if ((left < 5)); then echo "SKIPPED (8-minute budget spent): $*"; status=1; return; fi
    timeout $((cap < left ? cap : left)) "$@" || { echo "FAILED ($?): $*"; status=1; }
}

{
step "machine"
nvidia-smi -L
python3 --version
step "install ember into $SITE (no network)"
rm -rf "$SITE" && mkdir -p "$SITE"
if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --target "$SITE" .whl/*.whl
fi
python3 -m pip install -q --no-index --no-deps --no-build-isolation --target "$SITE" \
    ./packages/core ./packages/backend-cpu ./packages/backend-cuda ./packages/vision \
    || status=1
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
python3 -c "import cupy, numpy, ml_dtypes, pluggy, ember; print('ember', ember.__version__, \
'cupy', cupy.__version__, 'cuda available:', ember.cuda.is_available())" || exit 1

step "conformance suite on cuda, and the backend's tests (fused kernels against the core decompositions)"
run 200 python3 -m pytest --pyargs ember.testing.conformance --device cuda -q \
    -p no:cacheprovider
run 60 python3 -m pytest packages/backend-cuda/tests -q -p no:cacheprovider

step "training examples on cuda"
run 60 python3 examples/train_mnist_cnn.py --device cuda --epochs 3 \
    --out /tmp/ember_mnist_cnn.pt
run 30 python3 examples/tour.py --device cuda

step "GPU benchmarks"
run 60 python3 benchmarks/cuda_ops.py
run 90 python3 benchmarks/training.py --device cuda --only mlp,cnn \
    --mlp-batch 4096 --cnn-batch 512
step "done: status $status"
exit "$status"
} 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
