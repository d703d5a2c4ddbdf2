"""Make this directory's fixture runners importable by the test modules beside it.

pytest imports test files by path (--import-mode=importlib), so a test module cannot
`import layer_cases` from its own directory. This conftest, which pytest loads before the
directory's test modules, loads each runner once and registers it in sys.modules under a
name no other package's tests use (nox runs several packages' tests in one process):

    from _ember_nn_layer_cases import cases, run_case    # layer_cases.py
    from _ember_nn_b_cases import cases, run_case        # nn_b_cases.py
"""

import importlib.util
import pathlib
import sys

_HERE = pathlib.Path(__file__).parent


def _register(name, filename):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _HERE / filename)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


_register("_ember_nn_layer_cases", "layer_cases.py")
_register("_ember_nn_b_cases", "nn_b_cases.py")
