"""Every CUDA C source of the backend compiles (with nvcc, or NVRTC through CuPy)."""

import shutil
import subprocess
from importlib import resources

import pytest

SOURCES = sorted(p for p in (resources.files("ember_cuda") / "csrc").iterdir()
                 if p.name.endswith(".cu"))


def test_there_are_sources():
    assert {p.name for p in SOURCES} >= {"philox.cu", "softmax.cu"}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_source_compiles(source, tmp_path):
    nvcc = shutil.which("nvcc")
    if nvcc is not None:
        result = subprocess.run([nvcc, "-c", "-arch=sm_80", "-o", str(tmp_path / "out.o"),
                                 str(source)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return
    compiler = pytest.importorskip("cupy.cuda.compiler", reason="neither nvcc nor CuPy's NVRTC")
    compiler.compile_using_nvrtc(source.read_text(), options=("--std=c++17",))
