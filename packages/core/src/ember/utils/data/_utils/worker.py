"""The DataLoader worker process: its loop, its seeds, ``get_worker_info`` and the result pipe.

A worker reads ``(task_idx, index)`` from its index pipe, fetches and collates the batch,
and sends ``(task_idx, batch)`` back over its own one-way pipe. Batches are pickled with
protocol 5 and out-of-band buffers: tensors reduce to NumPy arrays (their
``__reduce_ex__``), whose memory goes down the pipe as raw frames without an extra copy and
is received into writable ``bytearray``s that the rebuilt arrays use directly.
"""

from __future__ import annotations

import os
import pickle
import random
import struct
import sys
from dataclasses import dataclass

from . import MP_STATUS_CHECK_INTERVAL, ExceptionWrapper


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still alive."""

    def __init__(self) -> None:
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self) -> bool:
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


_worker_info: WorkerInfo | None = None


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself: ``id`` (0 to ``num_workers - 1``), ``num_workers``,
    ``seed`` (base seed + id: Python's ``random`` and ember's default generator start from
    it) and ``dataset``, this worker's own copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """The current worker's :class:`WorkerInfo` in a DataLoader worker, ``None`` elsewhere."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Asks a persistent worker to start a new epoch (it answers with the same object)."""

    seed: int | None = None


def _generate_state(base_seed, worker_id):
    """NumPy's seed for a worker: PyTorch's hash of (base_seed, worker_id), four uint32
    words (as NumPy's SeedSequence would mix them), so workers get unrelated streams."""
    INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
    INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
    MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
    XSHIFT = 4 * 8 // 2
    MASK32 = 0xFFFFFFFF

    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_A = INIT_A

    def hash(value):
        nonlocal hash_const_A
        value = (value ^ hash_const_A) & MASK32
        hash_const_A = (hash_const_A * MULT_A) & MASK32
        value = (value * hash_const_A) & MASK32
        value = (value ^ (value >> XSHIFT)) & MASK32
        return value

    def mix(x, y):
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
        result &= MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    for i in range(len(pool)):
        pool[i] = hash(entropy[i])
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash(pool[i_src]))

    hash_const_B = INIT_B
    state = []
    for i_dst in range(4):
        data_val = pool[i_dst]
        data_val = (data_val ^ hash_const_B) & MASK32
        hash_const_B = (hash_const_B * MULT_B) & MASK32
        data_val = (data_val * hash_const_B) & MASK32
        data_val = (data_val ^ (data_val >> XSHIFT)) & MASK32
        state.append(data_val)
    return state


# -- the result pipe ----------------------------------------------------------------------
# One message: a fixed head (payload length, number of out-of-band buffers), the buffers'
# sizes, the pickle payload, then the buffers' raw bytes. On POSIX the bytes go straight
# between the arrays and the pipe (os.write from the array, os.readv into the receiving
# bytearray: one copy each way); elsewhere through Connection's framed messages.
_HEAD = struct.Struct("<QI")
_RAW_FDS = hasattr(os, "readv") and sys.platform != "win32"


def _pickle_result(obj, worker_id):
    buffers = []
    try:
        payload = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
        return payload, [b.raw() for b in buffers]
    except BufferError:  # a non-contiguous out-of-band buffer: send everything in-band
        return pickle.dumps(obj, protocol=5), []
    except Exception:
        idx, data = obj if isinstance(obj, tuple) and len(obj) == 2 else (None, None)
        if isinstance(data, ExceptionWrapper):
            # an exception class that does not pickle (defined in a function, say): keep
            # its name and traceback text, raise it as RuntimeError in the main process
            data.exc_type = RuntimeError
            return pickle.dumps((idx, data), protocol=5), []
        # an unpicklable batch: the main process re-raises the pickling error
        wrapped = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        return pickle.dumps((idx, wrapped), protocol=5), []


def send_result(conn, obj, worker_id) -> None:
    """Pickle ``obj`` (protocol 5, out-of-band buffers) and send it over ``conn``."""
    payload, raws = _pickle_result(obj, worker_id)
    head = _HEAD.pack(len(payload), len(raws)) + struct.pack(f"<{len(raws)}Q",
                                                             *(r.nbytes for r in raws))
    if not _RAW_FDS:
        conn.send_bytes(head + payload)
        for r in raws:
            conn.send_bytes(r)
        return
    fd = conn.fileno()
    for view in (head + payload, *raws):
        view = memoryview(view)
        while view.nbytes:
            view = view[os.write(fd, view):]


def _readinto(fd, buf):
    view = memoryview(buf)
    while view.nbytes:
        n = os.readv(fd, [view])
        if n == 0:
            raise EOFError("the DataLoader worker closed its pipe")
        view = view[n:]
    return buf


def recv_result(conn):
    """Receive one object sent by :func:`send_result` (its arrays own writable memory)."""
    if not _RAW_FDS:
        msg = conn.recv_bytes()
        head = memoryview(msg)
    else:
        fd = conn.fileno()
        head = _readinto(fd, bytearray(_HEAD.size))
    payload_len, n = _HEAD.unpack_from(head)
    if _RAW_FDS:
        head = memoryview(_readinto(fd, bytearray(8 * n + payload_len)))
        offset = 0
    else:
        offset = _HEAD.size
    sizes = struct.unpack_from(f"<{n}Q", head, offset)
    payload = head[offset + 8 * n:]
    buffers = []
    for size in sizes:
        buf = bytearray(size)
        if _RAW_FDS:
            _readinto(fd, buf)
        else:
            conn.recv_bytes_into(buf)
        buffers.append(buf)
    return pickle.loads(payload, buffers=buffers)


def _seed_worker(base_seed, worker_id):
    """Seed Python's ``random``, ember's default generators and NumPy's global generator,
    as PyTorch does: ``base_seed + worker_id`` (NumPy from a hash of the two)."""
    import numpy as np

    import ember

    seed = base_seed + worker_id
    random.seed(seed)
    ember.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(dataset_kind, dataset, index_conn, result_conn, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers) -> None:
    from ..dataloader import _DatasetKind

    try:
        seed = _seed_worker(base_seed, worker_id)

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)

        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                  collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        # iteration_end: this worker's IterableDataset copy is exhausted; it skips tasks
        # until the main process says to resume (persistent workers) or to stop.
        iteration_end = False
        watchdog = ManagerWatchdog()
        while watchdog.is_alive():
            if not index_conn.poll(MP_STATUS_CHECK_INTERVAL):
                continue
            r = index_conn.recv()
            if isinstance(r, _ResumeIteration):
                send_result(result_conn, (r, None), worker_id)
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                      collate_fn, drop_last)
                continue
            if r is None:  # the main process asks this worker to exit
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            send_result(result_conn, (idx, data), worker_id)
            del data, idx, index, r
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C and shuts the workers down
    except (BrokenPipeError, EOFError, ConnectionResetError):
        pass  # the main process went away
    finally:
        result_conn.close()
        index_conn.close()
