"""Every CUDA C source of the backend compiles: with NVRTC, as the backend compiles it at
run time, where CuPy can load NVRTC; otherwise with nvcc (which, unlike NVRTC, includes the
C math headers: a source using INFINITY or NAN compiles there but fails on the GPU)."""

import shutil
import subprocess
from importlib import resources

import pytest

from ember_cuda.sources import OPTIONS, kernel_files, source

FILES = kernel_files()


def _nvrtc():
    """CuPy's NVRTC binding when its library loads here, else None."""
    try:
        from cupy_backends.cuda.libs import nvrtc

        nvrtc.getVersion()
    except Exception:  # no CuPy, or no libnvrtc
        return None
    return nvrtc


def test_there_are_sources():
    assert set(FILES) >= {"philox.cu", "softmax.cu", "multi_tensor.cu", "norm.cu",
                          "cross_entropy.cu", "gelu.cu", "dropout.cu"}


@pytest.mark.parametrize("name", FILES)
def test_source_compiles(name, tmp_path):
    nvrtc = _nvrtc()
    if nvrtc is not None:
        program = nvrtc.createProgram(source(name), name, [], [])
        try:
            nvrtc.compileProgram(program, [*OPTIONS, "-arch=compute_80"])
        except nvrtc.NVRTCError:
            pytest.fail(nvrtc.getProgramLog(program))
        return
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("neither CuPy's NVRTC nor nvcc is available")
    path = resources.files("ember_cuda") / "csrc" / name
    result = subprocess.run([nvcc, "-c", "-arch=sm_80", "-std=c++17", "-o",
                             str(tmp_path / "out.o"), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
