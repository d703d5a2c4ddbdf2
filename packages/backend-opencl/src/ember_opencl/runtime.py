"""The OpenCL runtime: platforms and devices, one context and in-order queue per device,
memory, and program builds cached in memory and on disk.

Devices are every device of every platform (GPUs and accelerators first, then CPUs), or
those of one platform chosen with ``EMBER_OPENCL_PLATFORM`` (an index or part of a name)
or :func:`ember_opencl.set_platform` before the first tensor is made.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

# pyopencl is imported on first use, so that discovering ember's plugins stays cheap
cl = cl_tools = None
_IMPORT_ERROR = None


def _import_pyopencl() -> None:
    global cl, cl_tools, _IMPORT_ERROR
    if _IMPORT_ERROR is not None:
        return
    try:
        import pyopencl
        import pyopencl.tools
    except Exception as exc:  # pyopencl missing, or no libOpenCL.so to load
        _IMPORT_ERROR = f"{type(exc).__name__}: {exc}"
    else:
        cl, cl_tools, _IMPORT_ERROR = pyopencl, pyopencl.tools, ""

INSTALL_HINT = (
    "install an OpenCL driver (ICD): on a CPU, PoCL (`apt-get install pocl-opencl-icd` on "
    "Debian/Ubuntu, `dnf install pocl` on Fedora); on a GPU, its vendor's OpenCL runtime "
    "(AMD ROCm, Intel compute-runtime, the NVIDIA driver); `clinfo` lists what OpenCL sees")

_state: dict = {"platform": os.environ.get("EMBER_OPENCL_PLATFORM"), "devices": None,
                "error": ""}


def _select_platforms(platforms, choice):
    if choice is None or choice == "":
        return platforms
    if str(choice).isdigit():
        i = int(choice)
        return platforms[i:i + 1]
    return [p for p in platforms if str(choice).lower() in p.name.lower()]


def devices() -> list:
    """The usable OpenCL devices in ember's order (index = the N of ``opencl:N``)."""
    found = _state["devices"]
    if found is not None:
        return found
    found, error = [], ""
    _import_pyopencl()
    if cl is None:
        error = f"pyopencl could not be imported ({_IMPORT_ERROR})"
    else:
        try:
            platforms = cl.get_platforms()
        except Exception as exc:  # no ICD installed: PLATFORM_NOT_FOUND_KHR
            platforms, error = [], f"no OpenCL platform found ({exc})"
        chosen = _select_platforms(platforms, _state["platform"])
        if platforms and not chosen:
            error = (f"EMBER_OPENCL_PLATFORM={_state['platform']!r} matches none of the "
                     f"platforms {[p.name for p in platforms]}")
        for p in chosen:
            try:
                devs = p.get_devices()
            except Exception:  # a platform with no device raises DEVICE_NOT_FOUND
                continue
            found += [d for d in devs if d.available]
        found.sort(key=lambda d: bool(d.type & cl.device_type.CPU))  # GPUs first, stable
        if not found and not error:
            error = "OpenCL found platforms but no available device"
    _state["devices"] = [Device(i, d) for i, d in enumerate(found)]
    _state["error"] = error
    return _state["devices"]


def set_platform(choice) -> None:
    """Restrict ember's OpenCL devices to one platform (an index or part of its name)."""
    if _state["devices"] and any(d._context is not None for d in _state["devices"]):
        raise RuntimeError("set_platform() must be called before the first OpenCL tensor is "
                           "made")
    _state["platform"] = None if choice is None else str(choice)
    _state["devices"] = None


def unavailable_reason() -> str:
    devices()
    return f"{_state['error']}; {INSTALL_HINT}" if _state["error"] else ""


def device(index) -> Device:
    devs = devices()
    index = 0 if index is None else index
    if not 0 <= index < len(devs):
        raise RuntimeError(f"opencl device index {index} is out of range: {len(devs)} OpenCL "
                           "device(s) available" + (f" ({unavailable_reason()})" if not devs
                                                    else ""))
    return devs[index]


def cache_dir() -> str | None:
    """Where built program binaries are kept between processes, keyed by a hash of the
    source, build options, device and driver (``EMBER_OPENCL_CACHE``; '0' turns it off).
    Drivers with their own cache of source builds (PoCL: ~/.cache/pocl) use theirs."""
    path = os.environ.get("EMBER_OPENCL_CACHE")
    if path == "0":
        return None
    if not path:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path = Path(base) / "ember" / "opencl"
    return str(path)


PRELUDE: list = []  # functions (device) -> [(key, make)] built with a device's first program
LARGE = 1 << 16  # launches over more work-items than this use the large work-group size


class KernelBuildError(RuntimeError):
    """An OpenCL C program failed to build; the message holds the op and the build log."""


class Device:
    """One OpenCL device: context, queue, memory pool, capabilities and kernel cache."""

    def __init__(self, index, cl_device):
        self.index = index
        self.cl = cl_device
        self.name = cl_device.name.strip()
        self.platform = cl_device.platform.name.strip()
        ext = set(cl_device.extensions.split())
        self.extensions = ext
        self.fp64 = "cl_khr_fp64" in ext
        self.fp16 = "cl_khr_fp16" in ext
        self.max_group = cl_device.max_work_group_size
        self.local_mem = cl_device.local_mem_size
        self.is_cpu = bool(cl_device.type & cl.device_type.CPU)
        options = ["-cl-std=CL1.2"]
        if cl_device.single_fp_config & cl.device_fp_config.CORRECTLY_ROUNDED_DIVIDE_SQRT:
            options.append("-cl-fp32-correctly-rounded-divide-sqrt")
        self.options = options
        # PoCL and NVIDIA's driver keep their own on-disk cache of builds from source;
        # asking them for a binary would make them compile every kernel twice
        from pyopencl.characterize import has_src_build_cache

        self.driver_caches = bool(has_src_build_cache(cl_device))
        self.kernels: dict = {}
        self.pending = 0  # bytes allocated since the queue was last known empty
        self.pending_limit = min(cl_device.global_mem_size // 4,
                                 1 << 28 if cl_device.type & cl.device_type.CPU else 1 << 30)
        self.groups: dict = {}    # kernel -> its (small, large) work-group sizes
        self._context = None
        self.extra: dict = {}  # per-device state of other modules (e.g. matmul choice)

    def __repr__(self):
        return f"<opencl:{self.index} {self.name!r} on {self.platform!r}>"

    def _open(self):
        self._context = cl.Context([self.cl])
        self.queue = cl.CommandQueue(self._context, self.cl)
        # GPUs allocate slowly: keep freed buffers for reuse (the pool frees them and retries
        # when an allocation fails); a CPU driver's allocations are cheap and memory is shared
        if self.is_cpu:
            flags = cl.mem_flags.READ_WRITE
            self.allocate = lambda n: cl.Buffer(self._context, flags, n)
        else:
            self.allocate = cl_tools.MemoryPool(cl_tools.ImmediateAllocator(self.queue)).allocate

    @property
    def context(self):
        if self._context is None:
            self._open()
        return self._context

    # -- memory ----------------------------------------------------------------------
    def alloc(self, nbytes: int):
        if self._context is None:
            self._open()
        # Buffers dropped by Python are freed only when the queued kernels using them have
        # run: without a sync, a loop of ops would hold every result it ever made. Wait for
        # the queue once the allocations since the last wait pass a quarter of the memory.
        self.reserve(nbytes)
        return self.allocate(max(int(nbytes), 1))

    def reserve(self, nbytes: int) -> None:
        """Count memory the queue's commands hold (also a library's own temporaries)."""
        self.pending += nbytes
        if self.pending > self.pending_limit:
            self.synchronize()

    def check_dtype(self, dtype) -> None:
        if dtype.char == "d" and not self.fp64:
            raise TypeError(f"the OpenCL device {self.name!r} does not support float64: it "
                            "lacks the cl_khr_fp64 extension; use float32")

    def synchronize(self) -> None:
        if self._context is not None:
            self.queue.finish()
        self.pending = 0

    # -- programs --------------------------------------------------------------------
    def kernel(self, key, make, op: str, siblings=None):
        """The kernel cached under ``key``, built on a miss from ``make()`` -> Source.

        ``siblings()`` may list more ``(key, make)`` pairs (the same op for other dtypes):
        they are built in the same program, since a program build costs the same (about
        0.4 s on PoCL) for one kernel or a hundred, while each kernel is compiled for the
        device only when first launched."""
        found = self.kernels.get(key)
        if found is None:
            requests = [(key, make)]
            if siblings is not None:
                requests += siblings()
            if not self.kernels:  # the device's first program: add the common kernels
                requests += [r for make_prelude in PRELUDE for r in make_prelude(self)]
            seen = set()
            requests = [r for r in requests if not (r[0] in seen or seen.add(r[0]) or
                                                    r[0] in self.kernels)]
            self.build(requests, op)
            found = self.kernels[key]
        return found

    def build(self, requests, op: str) -> None:
        """Build the kernels of ``requests`` ((key, make) pairs) into one program, from the
        disk cache when this source was built before here; a sibling that does not build
        is dropped (the first request's failure is the error)."""
        from .codegen import program_text

        if self._context is None:
            self._open()
        sources, keys = [], []
        for i, (key, make) in enumerate(requests):
            try:
                sources.append(make())
            except (TypeError, ValueError):
                if i == 0:
                    raise
                continue
            keys.append(key)
        text = program_text(sources, self)
        path = self._cache_path(text)
        program = _load_binary(self, path) if path is not None else None
        if program is None:
            try:
                program = self._compile(text)
            except cl.RuntimeError as exc:
                if len(sources) > 1:  # retry without the siblings
                    return self.build(requests[:1], op)
                raise KernelBuildError(
                    f"ember opencl: building the kernel for op {op!r} failed on {self.name!r} "
                    f"({self.platform}):\n{exc}\n--- source ---\n{text}") from None
            if path is not None:
                _save_binary(program, path)
        for i, (key, src) in enumerate(zip(keys, sources)):
            knl = getattr(program, f"k{i}")
            knl.set_scalar_arg_dtypes(src.scalar_types)
            self.kernels[key] = knl

    def _compile(self, text):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cl.CompilerWarning)
            return cl.Program(self._context, text).build(options=self.options)

    def _group_sizes(self, knl):
        """(small, large) work-group sizes for ``knl``.

        Fixed sizes matter: PoCL compiles a kernel again for every new work-group size, and
        leaving the choice to the driver gives one per array size."""
        limit = knl.get_work_group_info(cl.kernel_work_group_info.WORK_GROUP_SIZE, self.cl)
        small, large = (64, 4096) if self.is_cpu else (256, 256)
        sizes = self.groups[knl] = (min(small, limit), min(large, limit))
        return sizes

    def launch(self, knl, n: int, *args) -> None:
        """Run ``knl`` (built from a Source that used ``index()``) over ``n`` work-items."""
        small, large = self.groups.get(knl) or self._group_sizes(knl)
        group = small if n <= LARGE else large
        knl(self.queue, ((n + group - 1) // group * group,), (group,), *args, n)

    def _cache_path(self, text):
        folder = cache_dir()
        if folder is None or self.driver_caches:
            return None
        ident = "\0".join([text, " ".join(self.options), self.platform, self.name,
                           self.cl.version, self.cl.driver_version, cl.VERSION_TEXT])
        return Path(folder) / (hashlib.sha256(ident.encode()).hexdigest()[:40] + ".bin")


def _load_binary(device, path):
    try:
        binary = path.read_bytes()
    except OSError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cl.CompilerWarning)
            return cl.Program(device.context, [device.cl], [binary]).build(
                options=device.options)
    except Exception:  # a stale or truncated file: rebuild from source
        return None


def _save_binary(program, path):
    try:
        (binary,) = program.get_info(cl.program_info.BINARIES)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(binary)
        os.replace(tmp, path)  # atomic: a concurrent reader sees all of it or nothing
    except Exception:  # a read-only or full disk only costs the next process a build
        pass
