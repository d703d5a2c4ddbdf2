"""What ``ember.cuda`` calls: devices, memory statistics, streams and events over CuPy."""

from __future__ import annotations

from collections import namedtuple

import cupy

_Properties = namedtuple("_CudaDeviceProperties", "name major minor total_memory "
                         "multi_processor_count")


class MemoryStats:
    """CuPy's memory pool, with the peak that PyTorch reports tracked by ember's allocator."""

    def __init__(self):
        self.pool = cupy.get_default_memory_pool()
        self.peak = 0
        cupy.cuda.set_allocator(self._malloc)

    def _malloc(self, size):
        memory = self.pool.malloc(size)
        used = self.pool.used_bytes()
        if used > self.peak:
            self.peak = used
        return memory

    def allocated(self):
        return self.pool.used_bytes()

    def reserved(self):
        return self.pool.total_bytes()

    def reset_peak(self):
        self.peak = self.pool.used_bytes()

    def empty_cache(self):
        self.pool.free_all_blocks()


class Stream:
    """A CUDA stream (``torch.cuda.Stream``)."""

    def __init__(self, device=None, priority=0, native=None):
        index = 0 if device is None else getattr(device, "index", device) or 0
        with cupy.cuda.Device(index):
            self.native = native or cupy.cuda.Stream(non_blocking=True, priority=priority)
        self.device_index = index

    def synchronize(self):
        self.native.synchronize()

    def query(self):
        return self.native.done

    def wait_stream(self, other):
        self.native.wait_event(other.native.record())

    def wait_event(self, event):
        self.native.wait_event(event.native)

    def record_event(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    def __enter__(self):
        self.native.__enter__()
        return self

    def __exit__(self, *exc):
        return self.native.__exit__(*exc)


class Event:
    """A CUDA event (``torch.cuda.Event``); ``elapsed_time`` is in milliseconds."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self.native = cupy.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                      interprocess=interprocess)

    def record(self, stream=None):
        self.native.record(None if stream is None else stream.native)

    def synchronize(self):
        self.native.synchronize()

    def query(self):
        return self.native.done

    def wait(self, stream=None):
        (stream.native if stream else cupy.cuda.get_current_stream()).wait_event(self.native)

    def elapsed_time(self, end_event):
        return cupy.cuda.get_elapsed_time(self.native, end_event.native)


class DeviceAPI:
    """The functions behind ``ember.cuda`` for one process."""

    Stream = Stream
    Event = Event

    def __init__(self):
        self.memory = MemoryStats()

    def current_device(self):
        return cupy.cuda.runtime.getDevice()

    def set_device(self, index):
        cupy.cuda.runtime.setDevice(index)

    def get_device_properties(self, index):
        props = cupy.cuda.runtime.getDeviceProperties(index)
        name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        return _Properties(name, props["major"], props["minor"], props["totalGlobalMem"],
                           props["multiProcessorCount"])

    def synchronize(self, index):
        with cupy.cuda.Device(index):
            cupy.cuda.runtime.deviceSynchronize()

    def current_stream(self, index):
        with cupy.cuda.Device(index):
            return Stream(index, native=cupy.cuda.get_current_stream())

    def pin_memory(self, array):
        """A page-locked host copy of a NumPy array (for overlapping host-to-device copies)."""
        import numpy as np

        memory = cupy.cuda.alloc_pinned_memory(array.nbytes)
        pinned = np.frombuffer(memory, array.dtype, array.size).reshape(array.shape)
        pinned[...] = array
        return pinned
