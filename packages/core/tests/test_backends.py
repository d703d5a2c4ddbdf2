"""The device registry and the plugin path: discovery, in-process registration, kernel
completion and overrides, and the errors for devices that cannot be used."""

import os
import subprocess
import sys
import textwrap
import warnings

import pytest

import ember
from ember.backends import base, decompositions, plugins
from ember.testing.conformance.fake import FakeBackend, registered


def _run(code, env=None):
    """Run Python code in a fresh interpreter; returns (returncode, stdout + stderr)."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout + proc.stderr


class _EntryPoint:
    """Stands in for an importlib.metadata entry point of group ember.backends."""

    def __init__(self, name, module=None, error=None):
        self.name, self.module, self.error = name, module, error

    def load(self):
        if self.error is not None:
            raise self.error
        return self.module


class _PluginModule:
    def __init__(self, backend):
        self.backend = backend

    @ember.backends.hookimpl
    def ember_register_backends(self, registry):
        registry.register(self.backend)


def _registry(monkeypatch, *entry_points):
    monkeypatch.setattr(plugins, "entry_points", lambda group: list(entry_points))
    return plugins.Registry()


# -- discovery --------------------------------------------------------------------------------
def test_import_does_not_discover_backends():
    code, out = _run("""
        import sys
        import ember
        registry = ember.backends.registry
        assert registry._pm is None and not registry.backends, "import ember loaded plugins"
        t = ember.zeros(2)
        assert t.device.type == "cpu" and "cpu" in registry.backends
        # the heavy accelerator plugins wait until their device is asked for
        assert "cupy" not in sys.modules and "pyopencl" not in sys.modules
        assert not any(registry._pm.has_plugin(n) for n in ("cuda", "opencl"))
        ember.backends.available()  # asks every plugin
        assert registry._discovered and all(
            registry._pm.has_plugin(ep.name) or ep.name in registry.failed
            for ep in registry._entry_points)
        print("ok")
    """)
    assert code == 0 and "ok" in out, out


def test_no_backend_installed_fails_on_first_tensor():
    code, out = _run("""
        import ember.backends.plugins as plugins
        plugins.entry_points = lambda group: []  # as if only ember-core were installed
        import ember
        x = ember.float32  # the import and the dtypes work
        try:
            ember.zeros(2)
        except RuntimeError as exc:
            print("RuntimeError:", exc)
    """)
    assert code == 0, out
    assert "RuntimeError: no ember backend is installed" in out
    assert "pip install ember-backend-cpu" in out


def test_no_backend_in_process(monkeypatch):
    registry = _registry(monkeypatch)
    with pytest.raises(RuntimeError, match="no ember backend is installed.*pip install "
                                           "ember-backend-cpu"):
        _ = registry.default_device


def test_a_plugin_that_fails_to_load_is_reported(monkeypatch):
    good = _PluginModule(FakeBackend("goodfake"))
    registry = _registry(monkeypatch, _EntryPoint("goodfake", good),
                         _EntryPoint("brokenfake", error=ImportError("no module named foo")))
    with pytest.warns(RuntimeWarning, match="ember backend plugin 'brokenfake' failed to load: "
                                            "ImportError: no module named foo"):
        registry.discover()
    assert registry.failed == {"brokenfake": "ImportError: no module named foo"}
    assert "goodfake" in registry.backends  # the others still load
    with pytest.raises(RuntimeError, match="'brokenfake' is installed but failed to load: "
                                           "ImportError: no module named foo"):
        registry.get("brokenfake")


def test_a_plugin_whose_hook_raises_is_reported(monkeypatch):
    class Raising:
        @ember.backends.hookimpl
        def ember_register_backends(self, registry):
            raise ValueError("bad hardware probe")

    registry = _registry(monkeypatch, _EntryPoint("raisingfake", Raising()))
    with pytest.warns(RuntimeWarning, match="raisingfake.*ValueError: bad hardware probe"):
        registry.discover()
    with pytest.raises(RuntimeError, match="no ember backend is installed.*raisingfake: "
                                           "ValueError: bad hardware probe"):
        _ = registry.default_device


def test_import_survives_a_broken_plugin():
    code, out = _run("""
        import importlib.metadata as md
        real = md.entry_points

        class Broken:
            name = "brokenfake"
            def load(self):
                raise ImportError("the plugin's dependency is missing")

        def entry_points(group=None, **kw):
            found = list(real(group=group)) if group else real(**kw)
            return found + [Broken()] if group == "ember.backends" else found

        md.entry_points = entry_points
        import ember.backends.plugins as plugins
        plugins.entry_points = entry_points
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import ember
            print(ember.ones(2).tolist())
        print([str(w.message) for w in caught])
    """)
    assert code == 0, out
    assert "[1.0, 1.0]" in out
    assert "ember backend plugin 'brokenfake' failed to load: ImportError: the plugin's " \
           "dependency is missing" in out


# -- errors for devices --------------------------------------------------------------------
def test_unknown_device_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown device type 'tpu'; known device types: "
                                         ".*cpu.*cuda.*opencl"):
        ember.zeros(1, device="tpu")
    with pytest.raises(ValueError, match="unknown device type"):
        ember.tensor([1.0]).to("tpu")


def test_backend_not_installed_names_the_package(monkeypatch):
    registry = _registry(monkeypatch)
    registry.discover()
    for name, package in [("cuda", "ember-backend-cuda"), ("opencl", "ember-backend-opencl"),
                          ("cpu", "ember-backend-cpu")]:
        with pytest.raises(RuntimeError, match=f"the ember '{name}' backend is not installed; "
                                               f"install it with `pip install {package}"):
            registry.canonical(name)


def test_backend_without_hardware():
    with registered(FakeBackend("nohwfake", available=False)) as name:
        with pytest.raises(RuntimeError, match="the ember 'nohwfake' backend is installed but no "
                                               "nohwfake device is available: the fake device is "
                                               "switched off"):
            ember.zeros(1, device=name)
        assert name not in ember.backends.available()


def test_real_accelerator_without_hardware_if_installed():
    """Where a GPU backend is installed on a machine without its device, it says so."""
    registry = ember.backends.registry
    registry.discover()
    for name, backend in list(registry.backends.items()):
        if name != "cpu" and not backend.is_available():
            with pytest.raises(RuntimeError, match=f"the ember '{name}' backend is installed but "
                                                   f"no {name} device is available"):
                ember.zeros(1, device=name)


def test_device_index_out_of_range():
    with registered(FakeBackend("onefake")) as name:
        assert ember.zeros(1, device=f"{name}:0").device.index == 0
        with pytest.raises(RuntimeError, match="device index 3 is out of range: 1 device"):
            ember.zeros(1, device=f"{name}:3")


# -- in-process registration and kernels ------------------------------------------------------
def test_register_a_backend_and_compute_on_it():
    with registered(FakeBackend("myfake")) as name:
        assert name in ember.backends.available()
        a = ember.tensor([[1.0, 2.0], [3.0, 4.0]], device=name, requires_grad=True)
        b = ember.ones(2, device=name)
        out = (a @ b + a.sum(0)).relu().softmax(0)
        assert out.device.type == "myfake" and out.shape == (2,)
        out[0].backward()
        assert a.grad.device.type == "myfake" and a.grad.shape == (2, 2)
        assert ember.arange(3, device=name).tolist() == [0, 1, 2]
        assert str(ember.zeros(1, device=name).device) == "myfake:0"
    assert "myfake" not in ember.backends.available()
    with pytest.raises(ValueError, match="unknown device type 'myfake'"):
        ember.zeros(1, device="myfake")


def test_missing_optional_kernels_come_from_decompositions():
    required_only = FakeBackend("minimalfake", ops=base.REQUIRED)
    with registered(required_only) as name:
        k = required_only.kernels
        for op, spec in base.OPS.items():
            assert hasattr(k, op), op
            if not spec.required:
                assert getattr(k, op).func is getattr(decompositions, op), op
        x = ember.tensor([[1.0, -2.0, 3.0]], device=name)
        assert ember.sigmoid(x).shape == (1, 3)
        assert abs(x.softmax(1).sum().item() - 1) < 1e-6
        assert x.mean().item() == pytest.approx(2 / 3)
        assert ember.eye(2, device=name).tolist() == [[1, 0], [0, 1]]


def test_a_backend_lacking_a_required_kernel_is_refused():
    broken = FakeBackend("brokenfake", ops=base.REQUIRED - {"matmul"})
    with pytest.raises(TypeError, match="backend 'brokenfake' lacks required kernels: matmul"):
        ember.backends.registry.register(broken)
    assert "brokenfake" not in ember.backends.registry.backends


def test_override_a_kernel():
    calls = []
    with registered(FakeBackend("overfake")) as name:
        original = ember.backends.registry.get(name).kernels.exp

        def exp(x, out=None):
            calls.append(x.shape)
            return original(x, out=out)

        ember.backends.registry.override(name, "exp", exp)
        assert ember.exp(ember.zeros(3, device=name)).tolist() == [1.0, 1.0, 1.0]
        assert calls == [(3,)]
        with pytest.raises(ValueError, match="unknown op 'not_an_op'"):
            ember.backends.registry.override(name, "not_an_op", exp)


def test_op_list_is_well_formed():
    assert base.REQUIRED <= set(base.OPS)
    for name, op in base.OPS.items():
        assert op.name == name and op.signature.startswith("(") and op.doc
        if not op.required:
            assert callable(getattr(decompositions, name, None)), \
                f"optional op {name} has no decomposition"


def test_conformance_suite_runs_against_a_plugin_backend(tmp_path):
    """A third-party backend proves itself with one command: here a plugin module that
    registers the fake backend, selected with --device."""
    (tmp_path / "fake_backend_plugin.py").write_text(textwrap.dedent("""
        from ember.backends import registry
        from ember.testing.conformance.fake import FakeBackend


        def pytest_configure(config):
            registry.register(FakeBackend("pluginfake"))
    """))
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
         "fake_backend_plugin", "--pyargs", "ember.testing.conformance.test_kernels",
         "--device", "pluginfake", "-k", "add-kernel or matmul-kernel-float32 or sigmoid"],
        capture_output=True, text=True, timeout=300, env={**os.environ, **env}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "failed" not in proc.stdout
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs",
             "ember.testing.conformance.test_views", "--device", "nosuchdevice", "-x"],
            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode != 0
    assert "unknown device type 'nosuchdevice'" in proc.stdout + proc.stderr


def test_metadata_inplace_ops_keep_history():
    import ember

    a = ember.ones(3, requires_grad=True)
    b = a * 2
    assert b.unsqueeze_(0) is b and b.shape == (1, 3)
    b.t_()
    assert b.shape == (3, 1)
    b.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0]
    assert ember.finfo(ember.float16).max == 65504.0
    assert ember.iinfo(ember.uint8).max == 255 and ember.iinfo(ember.bool).max == 1
