"""``DataLoader``: batches from a dataset, loaded in the main process or in worker processes.

With ``num_workers > 0`` each worker is a process with its own copy of the dataset. The
main process sends it batch indices through a pipe; the worker fetches and collates the
batch and sends it back through its own pipe (see ``_utils/worker.py``). The main process
waits on the pipes and on the workers' process sentinels together, so a worker that dies
is noticed at once (``RuntimeError``) instead of hanging the loop, and a worker's
exception is re-raised with the worker's traceback in its message.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing as python_multiprocessing
import os
import signal
import time
import warnings
import weakref
from multiprocessing.connection import wait as _mp_wait
from typing import Any, Generic, TypeVar

from . import _utils
from ._utils import ExceptionWrapper
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_T_co = TypeVar("_T_co", covariant=True)

default_collate = _utils.collate.default_collate
default_convert = _utils.collate.default_convert
get_worker_info = _utils.worker.get_worker_info


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        if kind == _DatasetKind.Map:
            return _utils.fetch._MapDatasetFetcher(dataset, auto_collation, collate_fn,
                                                   drop_last)
        return _utils.fetch._IterableDatasetFetcher(dataset, auto_collation, collate_fn,
                                                    drop_last)


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the sampler of an IterableDataset (the dataset decides the end)."""

    def __iter__(self):
        while True:
            yield None


def _cpu_count():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def _draw_seed(generator):
    """A 63-bit seed from ``generator`` (or the default generator), as PyTorch draws it."""
    import ember

    dev = None if generator is None else generator.device
    return int(ember.empty((), dtype=ember.int64, device=dev).random_(generator=generator)
               .item())


class DataLoader(Generic[_T_co]):
    """Iterate over a dataset in batches, optionally with worker processes (PyTorch's API).

    Args:
        dataset: a map-style ``Dataset`` (``__getitem__``/``__len__``) or an
            ``IterableDataset``.
        batch_size: samples per batch (default 1); ``None`` turns automatic batching off.
        shuffle: reshuffle every epoch (map-style datasets only).
        sampler / batch_sampler: the order of indices, or of whole batches of indices.
        num_workers: worker processes (0: load in the main process).
        collate_fn: merges a list of samples into a batch (default ``default_collate``).
        pin_memory: put batches in pinned memory where a backend supports it.
        drop_last: drop the last, incomplete batch.
        timeout: seconds to wait for a batch from the workers (0: forever).
        worker_init_fn: called with the worker id in each worker, after seeding.
        multiprocessing_context: a start method name or a ``multiprocessing`` context.
        generator: drives ``RandomSampler`` and the workers' base seed.
        prefetch_factor: batches in flight per worker (default 2 with workers).
        persistent_workers: keep the workers (and their dataset copies) between epochs.
        in_order: return batches in sampler order (``False``: as soon as they arrive).
    """

    __initialized = False

    def __init__(self, dataset: Dataset[_T_co], batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler=None, batch_sampler=None,
                 num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)

        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers

        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None

        self.check_worker_number_rationality()

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid_start_methods = python_multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid_start_methods:
                        raise ValueError(
                            "multiprocessing_context option should specify a valid start "
                            f"method in {valid_start_methods!r}, but got "
                            f"multiprocessing_context={multiprocessing_context!r}")
                    multiprocessing_context = python_multiprocessing.get_context(
                        multiprocessing_context)
                if not isinstance(multiprocessing_context,
                                  python_multiprocessing.context.BaseContext):
                    raise TypeError(
                        "multiprocessing_context option should be a valid context object or a "
                        "string specifying the start method, but got "
                        f"multiprocessing_context={multiprocessing_context}")
            else:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading "
                    f"(num_workers > 0), but got num_workers={self.num_workers}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                           "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def __iter__(self):
        # Persistent workers: one iterator, reset at every epoch, keeps the workers alive.
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._shutdown:  # none yet, or broken
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            # An estimate: each worker iterates its own copy, so the true count depends
            # on how the dataset shards itself (see IterableDataset).
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        if not self.num_workers:
            return
        max_num_worker_suggest = _cpu_count()
        cpuset_checked = hasattr(os, "sched_getaffinity")
        if max_num_worker_suggest is None or self.num_workers > max_num_worker_suggest:
            if max_num_worker_suggest is None:
                suggested = ("DataLoader is not able to compute a suggested max number of "
                             "worker in current system.")
            else:
                suggested = (f"Our suggested max number of worker in current system is "
                             f"{max_num_worker_suggest}"
                             f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}"
                             ", which is smaller than what this DataLoader is going to create.")
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. "
                f"{suggested} Please be aware that excessive worker creation might get "
                "DataLoader running slow or even freeze, lower the worker number to avoid "
                "potential slowness/freeze if necessary.", stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._pin_memory = False
        if loader.pin_memory:
            if loader.pin_memory_device:
                warnings.warn("pin_memory_device is deprecated, the current accelerator will be "
                              "used as the device,ignore "
                              f"pin_memory_device='{loader.pin_memory_device}'.", stacklevel=3)
            if _utils.pin_memory.pinning_available():
                self._pin_memory = True
            else:
                warnings.warn("'pin_memory' argument is set as true but no accelerator is "
                              "found, then device pinned memory won't be used.", stacklevel=3)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self) -> Any:
        if self._sampler_iter is None:
            self._reset()
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable
                and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            warn_msg = (f"Length of IterableDataset {self._dataset} was reported to be "
                        f"{self._IterableDataset_len_called}(when accessing len(dataloader)), "
                        f"but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                warn_msg += ("For multiprocessing data-loading, this could be caused by not "
                             "properly configuring the IterableDataset replica at each worker. "
                             "Please see the IterableDataset documentation for examples.")
            warnings.warn(warn_msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        if self._num_workers != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires num_workers == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        data = self._dataset_fetcher.fetch(index)  # may raise StopIteration
        if self._pin_memory:
            data = _utils.pin_memory.pin_memory(data)
        return data


_PIPE_SIZE = 1 << 20


def _grow_pipe(conn) -> None:
    """Let a result pipe hold a whole typical batch (Linux: 64 KiB -> up to 1 MiB), so a
    worker writes it in one go and the main process reads it without waiting for the
    worker to be scheduled again between chunks."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above /proc/sys/fs/pipe-max-size: keep the default


def _describe_exit(proc) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by signal: {signal.strsignal(-code) or signal.Signals(-code).name}"
        except (ValueError, AttributeError):
            return f"killed by signal {-code}"
    return f"exit code {code}"


class _WorkerPool:
    """The worker processes of one iterator with their pipes, and their orderly shutdown.

    The iterator holds it through ``weakref.finalize``: when the iterator is garbage
    collected (even as part of a reference cycle) or the interpreter exits, ``shutdown``
    runs with the pipes still open; a ``__del__`` could find them already finalized.
    """

    def __init__(self, done_event):
        self.owner_pid = os.getpid()
        self.done_event = done_event
        self.processes = []
        self.index_conns = []
        self.result_conns = []
        self.stopped = []  # True once the worker was asked to exit (or found dead)
        self.closed = False

    def send(self, worker_id, obj):
        try:
            self.index_conns[worker_id].send(obj)
        except (OSError, ValueError):
            pass  # the worker is gone: the iterator reports it when it waits for data

    def shutdown(self):
        if self.closed or os.getpid() != self.owner_pid:  # a forked child's copy: not ours
            return
        self.closed = True
        try:
            self.done_event.set()
            pending = {}
            for i, w in enumerate(self.processes):
                if w.pid is None:
                    continue
                self.send(i, None)
                if w.is_alive():
                    pending[w.sentinel] = i
            # Wait for the workers to exit, reading (and dropping) any result a worker is
            # still sending so that none stays blocked on a full pipe.
            deadline = time.monotonic() + _utils.MP_STATUS_CHECK_INTERVAL
            while pending and time.monotonic() < deadline:
                waitables = list(pending)
                waitables += [self.result_conns[i] for i in pending.values()
                              if not self.result_conns[i].closed]
                for obj in _mp_wait(waitables, max(0.0, deadline - time.monotonic())):
                    if obj in pending:
                        del pending[obj]
                        continue
                    try:
                        _utils.worker.recv_result(obj)
                    except (EOFError, OSError):
                        obj.close()
        finally:
            for w in self.processes:
                if w.pid is not None and w.is_alive():
                    w.terminate()
            for w in self.processes:
                if w.pid is not None:
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)  # reaps: no zombies
            for conn in self.result_conns + self.index_conns:
                conn.close()
            self.stopped[:] = [True] * len(self.stopped)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Iterates with worker processes.

    Bookkeeping (as PyTorch's): task ``i`` is the ``i``-th index sent; ``_task_info[i]``
    is ``(worker_id,)`` while outstanding and ``(worker_id, data)`` once it arrived out of
    order; ``_rcvd_idx`` is the next task to return, ``_send_idx`` the next to send. At most
    ``prefetch_factor * num_workers`` tasks are outstanding.
    """

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError("num_workers must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        ctx = loader.multiprocessing_context or python_multiprocessing.get_context()
        self._worker_init_fn = loader.worker_init_fn
        self._shutdown = False
        self._workers_done_event = ctx.Event()
        pool = self._pool = _WorkerPool(self._workers_done_event)
        self._finalizer = weakref.finalize(self, pool.shutdown)  # also runs at exit
        self._index_conns = pool.index_conns
        self._result_conns = pool.result_conns
        self._workers = pool.processes
        self._worker_stopped = pool.stopped
        try:
            for i in range(self._num_workers):
                # Plain pipes both ways (no feeder thread: a send during garbage
                # collection or at exit still arrives). Each holds far more than the few
                # small index messages a worker can have outstanding, so sending an index
                # never blocks.
                index_reader, index_writer = ctx.Pipe(duplex=False)
                _grow_pipe(index_writer)
                reader, writer = ctx.Pipe(duplex=False)
                _grow_pipe(writer)
                w = ctx.Process(
                    target=_utils.worker._worker_loop,
                    args=(self._dataset_kind, self._dataset, index_reader, writer,
                          self._workers_done_event, self._auto_collation, self._collate_fn,
                          self._drop_last, self._base_seed, self._worker_init_fn, i,
                          self._num_workers, self._persistent_workers),
                    name=f"ember_data_worker_{i}")
                w.daemon = True
                pool.index_conns.append(index_writer)
                pool.result_conns.append(reader)
                pool.processes.append(w)
                pool.stopped.append(False)
                try:
                    w.start()
                finally:
                    # only the worker holds these ends: its death closes the pipes
                    writer.close()
                    index_reader.close()
        except BaseException:
            self._shutdown_workers()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: each answers the resume request after finishing (and
            # sending) whatever it was still doing; those stale results are dropped.
            for i in range(self._num_workers):
                self._send_index(i, _utils.worker._ResumeIteration())
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, return_data = self._get_data()
                if isinstance(return_idx, _utils.worker._ResumeIteration):
                    resume_iteration_cnt -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    # -- receiving ---------------------------------------------------------------------
    def _failed_workers(self):
        return [w for i, w in enumerate(self._workers)
                if not self._worker_stopped[i] and not w.is_alive()]

    def _raise_failed(self, failed, cause=None):
        for w in failed:
            self._worker_stopped[self._workers.index(w)] = True
        if len(failed) == 1:
            w = failed[0]
            msg = (f"DataLoader worker (pid {w.pid}) exited unexpectedly "
                   f"({_describe_exit(w)})")
        else:
            pids = ", ".join(str(w.pid) for w in failed)
            msg = f"DataLoader worker (pid(s) {pids}) exited unexpectedly"
        self._shutdown_workers()  # the epoch cannot complete: stop the other workers now
        raise RuntimeError(msg) from cause

    def _try_get_data(self, timeout=_utils.MP_STATUS_CHECK_INTERVAL):
        """``(True, (idx, data))`` from any worker, or ``(False, None)`` after ``timeout``;
        raises RuntimeError when a worker died."""
        conns = {}
        for i, conn in enumerate(self._result_conns):
            if not self._worker_stopped[i]:
                conns[conn] = i
                conns[self._workers[i].sentinel] = i
        if not conns:
            raise RuntimeError("DataLoader has no running worker left to wait for")
        ready = _mp_wait(list(conns), timeout)
        if not ready:
            return False, None
        # Data first: a worker may have sent its last result and then died.
        by_worker = {}
        for obj in ready:
            by_worker.setdefault(conns[obj], []).append(obj)
        for i, objs in by_worker.items():
            conn = self._result_conns[i]
            if conn in objs or conn.poll():
                try:
                    return True, _utils.worker.recv_result(conn)
                except (EOFError, OSError) as e:
                    self._workers[i].join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
                    self._raise_failed([self._workers[i]], cause=e)
        failed = self._failed_workers()
        if failed:
            self._raise_failed(failed)
        return False, None

    def _get_data(self):
        if self._timeout > 0:
            deadline = time.monotonic() + self._timeout
            while True:
                success, data = self._try_get_data(max(0.0, deadline - time.monotonic()))
                if success:
                    return data
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        while True:
            success, data = self._try_get_data()
            if success:
                return data

    def _next_data(self):
        while True:
            # Skip tasks of workers that are done (an exhausted IterableDataset copy).
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx, None)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            if self._shutdown or self._tasks_outstanding <= 0:
                raise AssertionError("Invalid iterator state: shutdown or no outstanding tasks "
                                     "when fetching next data")
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable:
                if isinstance(data, _utils.worker._IterableDatasetStopIteration):
                    if self._persistent_workers:
                        self._workers_status[data.worker_id] = False
                    else:
                        self._mark_worker_as_unavailable(data.worker_id)
                    self._try_put_index()
                    continue

            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        if self._tasks_outstanding >= max_tasks:
            raise AssertionError("Number of outstanding tasks exceeded maximum allowed tasks")
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                if self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(
                        self._workers_status):
                    break
        else:
            return
        self._send_index(worker_queue_idx, (self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _send_index(self, worker_id, obj):
        self._pool.send(worker_id, obj)

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        if self._pin_memory:
            data = _utils.pin_memory.pin_memory(data)
        return data

    # -- shutting down -----------------------------------------------------------------
    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        """Ask one worker to exit (its IterableDataset copy is exhausted, or shutdown)."""
        if not self._worker_stopped[worker_id]:
            self._send_index(worker_id, None)
            self._worker_stopped[worker_id] = True  # its exit is expected, not a failure
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        self._shutdown = True
        self._finalizer()  # runs _WorkerPool.shutdown once
