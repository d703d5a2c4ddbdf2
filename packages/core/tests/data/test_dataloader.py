"""DataLoader, in the main process and with two worker processes."""

import dataclasses
import gc
import math
import multiprocessing
import os
import pickle
import random
import signal
import time
import warnings

import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
    get_worker_info,
)
from ember.utils.data._utils.worker import _generate_state

WORKERS = [0, 2]


def gen(seed):
    return ember.Generator().manual_seed(seed)


def flat(batches):
    return [v for b in batches for v in b.tolist()]


def reaped(pid):
    """The worker process is gone: exited and waited for (not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class Pids(Range):
    """Samples tell which process made them."""

    def __getitem__(self, i):
        return i, os.getpid()


class Failing(Range):
    def __getitem__(self, i):
        if i == 7:
            raise ValueError(f"bad sample {i}")
        return i


class Killing(Range):
    def __getitem__(self, i):
        if i == 6:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Gated(Range):
    """Sample ``gated_index`` waits (up to 10 s) until the test calls ``open()``. The gate is
    a lock-free shared flag, polled: a worker stopped while waiting leaves nothing locked."""

    def __init__(self, n, gated_index):
        super().__init__(n)
        self.gated_index = gated_index
        self.flag = multiprocessing.RawValue("b", 0)

    def open(self):
        self.flag.value = 1

    def __getitem__(self, i):
        if i == self.gated_index:
            deadline = time.monotonic() + 10
            while not self.flag.value and time.monotonic() < deadline:
                time.sleep(0.005)
        return i


class RandomValues(Range):
    def __getitem__(self, i):
        info = get_worker_info()
        return {"py": random.random(), "np": float(np.random.rand()),
                "ember": ember.rand(()).item(), "worker": info.id if info else -1,
                "seed": info.seed if info else -1}


class Counter(Range):
    """Counts, in each process's own copy, how many samples it produced."""

    def __init__(self, n):
        super().__init__(n)
        self.count = 0

    def __getitem__(self, i):
        self.count += 1
        return self.count


class Stream(IterableDataset):
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        return iter(range(self.start, self.end))

    def __len__(self):
        return self.end - self.start


class ShardedStream(Stream):
    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        return iter(range(self.start + info.id, self.end, info.num_workers))


def shard_by_worker_init(worker_id):
    """PyTorch's documented worker_init_fn example: each copy keeps its slice."""
    info = get_worker_info()
    ds = info.dataset
    per_worker = int(math.ceil((ds.end - ds.start) / float(info.num_workers)))
    ds.start = ds.start + worker_id * per_worker
    ds.end = min(ds.start + per_worker, ds.end)


# -- batching ----------------------------------------------------------------------------
@pytest.mark.parametrize("num_workers", WORKERS)
def test_batches_in_order(num_workers):
    x = ember.arange(20, dtype=ember.float32).reshape(10, 2)
    y = ember.arange(10)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, num_workers=num_workers)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [tuple(b[0].shape) for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert flat(b[1] for b in batches) == list(range(10))
    assert batches[0][0].dtype is ember.float32 and batches[0][1].dtype is ember.int64
    assert batches[2][0].tolist() == [[16.0, 17.0], [18.0, 19.0]]
    assert isinstance(batches[0], list)  # default_collate turns sample tuples into lists


@pytest.mark.parametrize("num_workers", WORKERS)
def test_drop_last(num_workers):
    loader = DataLoader(Range(10), batch_size=4, drop_last=True, num_workers=num_workers)
    assert len(loader) == 2
    assert [b.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]


@pytest.mark.parametrize("num_workers", WORKERS)
def test_batch_size_none_uses_default_convert(num_workers):
    class Arrays(Range):
        def __getitem__(self, i):
            return np.full(2, i, dtype=np.int32), "s"

    out = list(DataLoader(Arrays(3), batch_size=None, num_workers=num_workers))
    assert len(out) == 3
    arr, s = out[2]
    assert isinstance(arr, ember.Tensor) and arr.dtype is ember.int32 and arr.tolist() == [2, 2]
    assert s == "s"


@pytest.mark.parametrize("num_workers", WORKERS)
def test_sampler_batch_sampler_and_collate_fn(num_workers):
    loader = DataLoader(Range(10), batch_size=3, sampler=[9, 8, 7, 1],
                        num_workers=num_workers)
    assert [b.tolist() for b in loader] == [[9, 8, 7], [1]]
    loader = DataLoader(Range(10), batch_sampler=[[0, 5], [2], [9, 9, 9]],
                        num_workers=num_workers)
    assert loader.batch_size is None and loader.drop_last is False
    assert [b.tolist() for b in loader] == [[0, 5], [2], [9, 9, 9]]
    loader = DataLoader(Range(5), batch_size=2, collate_fn=lambda b: ("sum", sum(b)),
                        num_workers=num_workers)
    assert list(loader) == [("sum", 1), ("sum", 5), ("sum", 4)]


@pytest.mark.parametrize("num_workers", WORKERS)
def test_getitems_fetches_whole_batches(num_workers):
    class Batched(Range):
        def __getitem__(self, i):
            raise AssertionError("__getitems__ should be used")

        def __getitems__(self, indices):
            return [10 * i for i in indices]

    assert [b.tolist() for b in DataLoader(Batched(5), batch_size=2,
                                           num_workers=num_workers)] == [[0, 10], [20, 30],
                                                                         [40]]


def test_big_batches_and_many_arrays_travel_intact():
    data = ember.arange(6 * 300 * 300, dtype=ember.float32).reshape(6, 300, 300)
    ds = TensorDataset(data, data.double(), ember.arange(6).bool())
    for a, b, c in DataLoader(ds, batch_size=3, num_workers=2):  # ~1 MB and 2 MB per batch
        assert a.shape == (3, 300, 300) and b.dtype is ember.float64 and c.dtype is ember.bool
        assert a.numpy().flags.writeable
        a.add_(1)  # received tensors own writable memory
        assert ember.equal(a - 1, b.float())


# -- shuffling and seeds -------------------------------------------------------------------
@pytest.mark.parametrize("num_workers", WORKERS)
def test_shuffle_reproducible_with_generator(num_workers):
    def epoch(seed):
        return flat(DataLoader(Range(30), batch_size=4, shuffle=True, generator=gen(seed),
                               num_workers=num_workers))

    a = epoch(5)
    assert sorted(a) == list(range(30)) and a != list(range(30))
    assert epoch(5) == a
    assert epoch(6) != a
    # the loader draws the workers' base seed first, then RandomSampler permutes
    g = gen(5)
    g_seed = int(ember.empty((), dtype=ember.int64).random_(generator=g).item())
    assert g_seed >= 0
    assert a == ember.randperm(30, generator=g).tolist()


@pytest.mark.parametrize("num_workers", WORKERS)
def test_shuffle_reproducible_with_manual_seed(num_workers):
    def two_epochs():
        loader = DataLoader(Range(20), batch_size=5, shuffle=True, num_workers=num_workers)
        return flat(loader), flat(loader)

    ember.manual_seed(11)
    first, second = two_epochs()
    assert first != second and sorted(first) == list(range(20))
    ember.manual_seed(11)
    assert two_epochs() == (first, second)


def test_shuffle_same_order_with_and_without_workers():
    orders = [flat(DataLoader(Range(25), batch_size=4, shuffle=True, generator=gen(9),
                              num_workers=n)) for n in WORKERS]
    assert orders[0] == orders[1]


def test_worker_seeds_follow_pytorch():
    loader = DataLoader(RandomValues(4), batch_size=None, num_workers=2, generator=gen(21))
    out = list(loader)
    base_seed = int(ember.empty((), dtype=ember.int64).random_(generator=gen(21)).item())
    assert [o["worker"] for o in out] == [0, 1, 0, 1]  # round robin
    for wid in (0, 1):
        mine = [o for o in out if o["worker"] == wid]
        seed = base_seed + wid
        assert all(o["seed"] == seed for o in mine)
        py = random.Random(seed)
        assert [o["py"] for o in mine] == [py.random(), py.random()]
        np_rng = np.random.RandomState(_generate_state(base_seed, wid))
        assert [o["np"] for o in mine] == [float(np_rng.rand()), float(np_rng.rand())]
        ember_gen = gen(seed)
        assert [o["ember"] for o in mine] == [ember.rand((), generator=ember_gen).item()
                                              for _ in mine]
    assert out[0]["py"] != out[1]["py"] and out[0]["np"] != out[1]["np"]


def test_worker_randomness_reproducible_with_manual_seed():
    def run():
        return list(DataLoader(RandomValues(4), batch_size=None, num_workers=2))

    ember.manual_seed(0)
    a = run()
    b = run()  # a new base seed from the advanced default generator
    ember.manual_seed(0)
    assert run() == a
    assert [o["py"] for o in a] != [o["py"] for o in b]


def test_get_worker_info():
    assert get_worker_info() is None

    seen = []

    class Info(Range):
        def __getitem__(self, i):
            info = get_worker_info()
            return (info.id, info.num_workers, info.dataset is self,
                    type(info.dataset).__name__)

    for batch in DataLoader(Info(4), batch_size=None, num_workers=2):
        seen.append(tuple(batch) if isinstance(batch, list) else batch)
    assert sorted(seen) == [(0, 2, True, "Info")] * 2 + [(1, 2, True, "Info")] * 2

    def init(worker_id):
        info = get_worker_info()
        with pytest.raises(dataclasses.FrozenInstanceError):  # frozen, as PyTorch's
            info.id = 5

    list(DataLoader(Range(2), num_workers=2, worker_init_fn=init))


def test_worker_init_fn_configures_the_worker_copy():
    ds = Range(6)

    def init(worker_id):
        get_worker_info().dataset.offset = 100 * (worker_id + 1)

    class Offset(Range):
        offset = 0

        def __getitem__(self, i):
            return self.offset + i

    ds = Offset(6)
    out = flat(DataLoader(ds, batch_size=2, num_workers=2, worker_init_fn=init))
    assert out == [100, 101, 202, 203, 104, 105]
    assert ds.offset == 0  # the main process's copy is untouched


# -- iterable datasets ---------------------------------------------------------------------
def test_iterable_dataset_every_worker_iterates_its_copy():
    assert flat(DataLoader(Stream(3, 7), num_workers=0)) == [3, 4, 5, 6]
    with pytest.warns(UserWarning, match="Length of IterableDataset"):
        loader = DataLoader(Stream(3, 7), num_workers=2)
        assert len(loader) == 4
        out = flat(loader)
    assert out == [3, 3, 4, 4, 5, 5, 6, 6]  # PyTorch's documented duplicate


def test_iterable_dataset_sharded_with_get_worker_info():
    out = [b.tolist() for b in DataLoader(ShardedStream(0, 11), batch_size=3, num_workers=2)]
    assert out == [[0, 2, 4], [1, 3, 5], [6, 8, 10], [7, 9]]
    out = [b.tolist() for b in DataLoader(ShardedStream(0, 11), batch_size=3, num_workers=2,
                                          drop_last=True)]
    assert out == [[0, 2, 4], [1, 3, 5], [6, 8, 10]]  # each worker drops its partial batch


@pytest.mark.filterwarnings("ignore:This DataLoader will create 3 worker processes")
def test_iterable_dataset_sharded_with_worker_init_fn():
    loader = DataLoader(Stream(3, 7), num_workers=2, worker_init_fn=shard_by_worker_init)
    assert flat(loader) == [3, 5, 4, 6]  # PyTorch's documented output
    loader = DataLoader(Stream(3, 7), num_workers=3, worker_init_fn=shard_by_worker_init)
    assert sorted(flat(loader)) == [3, 4, 5, 6]


def test_iterable_dataset_argument_errors():
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got "
                                         "shuffle=True"):
        DataLoader(Stream(0, 2), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(0, 2), sampler=[0])
    with pytest.raises(ValueError, match="expected unspecified batch_sampler option"):
        DataLoader(Stream(0, 2), batch_sampler=[[0]])
    assert len(DataLoader(Stream(0, 10), batch_size=3)) == 4
    assert len(DataLoader(Stream(0, 10), batch_size=3, drop_last=True)) == 3


# -- workers: errors, death, timeouts ------------------------------------------------------
def test_worker_exception_carries_the_worker_traceback():
    with pytest.raises(ValueError) as info:
        list(DataLoader(Failing(10), batch_size=2, num_workers=2))
    msg = str(info.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\n"
                          "Original Traceback (most recent call last):")
    assert "in __getitem__" in msg and 'raise ValueError(f"bad sample {i}")' in msg
    assert os.path.basename(__file__) in msg
    assert msg.rstrip().endswith("ValueError: bad sample 7")


def test_worker_key_error_message_is_readable():
    class Missing(Range):
        def __getitem__(self, i):
            return {}["k"]

    with pytest.raises(KeyError) as info:
        next(iter(DataLoader(Missing(2), num_workers=2)))
    assert "Caught KeyError in DataLoader worker process 0." in str(info.value)
    assert "\\n" not in str(info.value)  # printed as text, not as a repr


class TwoArgumentError(Exception):
    def __init__(self, code, detail):
        super().__init__(code, detail)


@pytest.mark.parametrize("where", ["module", "local"])
def test_worker_exceptions_that_cannot_be_rebuilt_become_runtime_errors(where):
    class LocalError(ValueError):  # cannot be pickled by reference
        pass

    class Raising(Range):
        def __getitem__(self, i):
            if where == "module":
                raise TwoArgumentError(3, "detail")
            raise LocalError("local trouble")

    name = "TwoArgumentError" if where == "module" else "LocalError"
    with pytest.raises(RuntimeError, match=f"Caught {name} in DataLoader worker process 0"
                       ) as info:
        next(iter(DataLoader(Raising(2), num_workers=2)))
    assert ("detail" if where == "module" else "local trouble") in str(info.value)


def test_worker_init_fn_exception():
    def init(worker_id):
        raise RuntimeError(f"init failed in {worker_id}")

    with pytest.raises(RuntimeError, match="Caught RuntimeError in DataLoader worker process 0"
                       ) as info:
        list(DataLoader(Range(4), num_workers=2, worker_init_fn=init))
    assert "init failed in 0" in str(info.value)


def test_unpicklable_batch_is_reported():
    loader = DataLoader(Range(2), batch_size=2, num_workers=2, collate_fn=lambda b: lambda: b)
    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0"):
        list(loader)


def test_single_process_exception_is_raised_as_is():
    with pytest.raises(ValueError, match="^bad sample 7$"):
        list(DataLoader(Failing(10), batch_size=2))


def test_killed_worker_raises_instead_of_hanging():
    loader = DataLoader(Killing(40), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited "
                                           r"unexpectedly") as info:
        for _ in it:
            pass
    assert time.monotonic() - t0 < 4.0
    assert str(pids[1]) in str(info.value)  # index 6 is in batch 3, worker 1's
    assert "Killed" in str(info.value) or "SIGKILL" in str(info.value)
    del it
    gc.collect()
    assert all(reaped(pid) for pid in pids)


def test_timeout():
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(Range(2), timeout=-1)
    ds = Gated(6, gated_index=2)
    it = iter(DataLoader(ds, batch_size=2, num_workers=2, timeout=0.1))
    got = []
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.1 seconds"):
        for b in it:
            got.append(b.tolist())
    assert got == [[0, 1]]  # the second batch cannot be ready: its sample waits at the gate
    ds.open()  # lets the worker finish, so the shutdown is quick
    del it
    # a generous timeout changes nothing
    assert flat(DataLoader(Range(6), batch_size=2, num_workers=2, timeout=5)) == list(range(6))
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(DataLoader(Range(2), timeout=1))


# -- worker lifetime -----------------------------------------------------------------------
def test_workers_exit_and_are_reaped_after_an_epoch():
    it = iter(DataLoader(Range(8), batch_size=2, num_workers=2))
    pids = [w.pid for w in it._workers]
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert flat(it) == list(range(8))
    assert all(reaped(pid) for pid in pids)
    assert all(w.exitcode == 0 for w in it._workers)


def test_breaking_out_early_shuts_workers_down():
    it = iter(DataLoader(Range(100), batch_size=2, num_workers=2))
    next(it)
    pids = [w.pid for w in it._workers]
    del it
    gc.collect()
    assert all(reaped(pid) for pid in pids)


def test_persistent_workers_survive_epochs_and_die_with_the_loader():
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(Range(2), persistent_workers=True)
    loader = DataLoader(Pids(6), batch_size=2, num_workers=2, persistent_workers=True)
    epochs = [list(loader) for _ in range(3)]
    pid_sets = [{p for b in e for p in b[1].tolist()} for e in epochs]
    assert pid_sets[0] == pid_sets[1] == pid_sets[2] and len(pid_sets[0]) == 2
    assert all(flat(b[0] for b in e) == list(range(6)) for e in epochs)
    pids = sorted(pid_sets[0])
    assert not any(reaped(pid) for pid in pids)  # still running between epochs
    del loader, epochs
    gc.collect()
    assert all(reaped(pid) for pid in pids)


def test_persistent_workers_keep_their_dataset_copy_and_resume_after_a_break():
    loader = DataLoader(Counter(4), batch_size=1, num_workers=2, persistent_workers=True)
    assert flat(loader) == [1, 1, 2, 2]
    assert flat(loader) == [3, 3, 4, 4]  # the workers' copies kept counting
    it = iter(loader)
    next(it)  # break out early; the next epoch must still be complete
    assert len(flat(loader)) == 4
    loader2 = DataLoader(Counter(4), batch_size=1, num_workers=2)
    assert flat(loader2) == flat(loader2) == [1, 1, 2, 2]  # fresh copies each epoch


def test_persistent_workers_replaced_after_a_worker_died():
    class KillOnce(Range):
        def __init__(self, n):
            super().__init__(n)
            self.killed = multiprocessing.RawValue("b", 0)

        def __getitem__(self, i):
            if i == 3 and not self.killed.value:
                self.killed.value = 1
                os.kill(os.getpid(), signal.SIGKILL)
            return i

    loader = DataLoader(KillOnce(6), batch_size=2, num_workers=2, persistent_workers=True)
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(loader)
    assert flat(loader) == list(range(6))  # the next epoch starts new workers


def test_persistent_workers_with_iterable_dataset():
    loader = DataLoader(ShardedStream(0, 7), batch_size=2, num_workers=2,
                        persistent_workers=True)
    first = [b.tolist() for b in loader]
    assert first == [[0, 2], [1, 3], [4, 6], [5]]
    assert [b.tolist() for b in loader] == first


def test_prefetch_factor():
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified in "
                                         "multiprocessing"):
        DataLoader(Range(2), prefetch_factor=2)
    with pytest.raises(ValueError, match="prefetch_factor option should be non-negative"):
        DataLoader(Range(2), num_workers=2, prefetch_factor=-1)
    assert DataLoader(Range(2)).prefetch_factor is None
    assert DataLoader(Range(2), num_workers=2).prefetch_factor == 2
    for factor in (1, 3):
        it = iter(DataLoader(Range(40), batch_size=2, num_workers=2, prefetch_factor=factor))
        assert it._send_idx == 2 * factor  # tasks in flight from the start
        next(it)
        assert it._tasks_outstanding <= 2 * factor
        assert flat(it) == list(range(2, 40))


def test_in_order_false_returns_batches_as_they_arrive():
    ds = Gated(8, gated_index=0)  # worker 0's first batch waits at the gate
    it = iter(DataLoader(ds, batch_size=2, num_workers=2, in_order=False))
    first = next(it).tolist()
    ds.open()
    rest = [b.tolist() for b in it]
    assert first == [2, 3]  # worker 1's batch, returned before batch 0
    assert sorted([first, *rest]) == [[0, 1], [2, 3], [4, 5], [6, 7]]
    out = [b.tolist() for b in DataLoader(Range(8), batch_size=2, num_workers=2)]
    assert out == [[0, 1], [2, 3], [4, 5], [6, 7]]


def test_multiprocessing_context():
    ds = TensorDataset(ember.arange(6))
    for ctx in ("spawn", multiprocessing.get_context("fork")):
        loader = DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context=ctx)
        assert isinstance(loader.multiprocessing_context,
                          multiprocessing.context.BaseContext)
        assert [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5]]
    with pytest.raises(ValueError, match="multiprocessing_context option should specify a "
                                         "valid start method"):
        DataLoader(ds, num_workers=2, multiprocessing_context="bogus")
    with pytest.raises(TypeError, match="multiprocessing_context option should be a valid "
                                        "context object"):
        DataLoader(ds, num_workers=2, multiprocessing_context=3)
    with pytest.raises(ValueError, match="multiprocessing_context can only be used with "
                                         "multi-process loading"):
        DataLoader(ds, multiprocessing_context="spawn")


# -- pin_memory ----------------------------------------------------------------------------
@pytest.mark.parametrize("num_workers", WORKERS)
def test_pin_memory_without_accelerator_is_a_noop(num_workers):
    ds = TensorDataset(ember.arange(4.0))
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no "
                                         "accelerator is found"):
        out = list(DataLoader(ds, batch_size=2, pin_memory=True, num_workers=num_workers))
    assert [b[0].tolist() for b in out] == [[0.0, 1.0], [2.0, 3.0]]
    assert isinstance(out[0][0], ember.Tensor)


@pytest.mark.parametrize("num_workers", WORKERS)
def test_pin_memory_calls_the_backend_hook(monkeypatch, num_workers):
    backend = ember.tensor(0).device._backend
    pinned = []

    def pin(array):
        copy = array.copy()
        pinned.append(copy.shape)
        return copy

    monkeypatch.setattr(backend, "pin_memory", pin, raising=False)
    ds = TensorDataset(ember.arange(6.0).reshape(3, 2), ember.arange(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = list(DataLoader(ds, batch_size=2, pin_memory=True, num_workers=num_workers,
                              collate_fn=lambda b: {"x": ember.stack([s[0] for s in b]),
                                                    "meta": ("m", [s[1] for s in b])}))
    assert sorted(pinned) == sorted([(2, 2), (), (), (1, 2), ()])
    assert out[0]["x"].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert out[0]["meta"][0] == "m" and [t.item() for t in out[0]["meta"][1]] == [0, 1]


# -- arguments -----------------------------------------------------------------------------
def test_argument_validation():
    ds = Range(4)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0], shuffle=True)
    for kwargs in ({"batch_size": 2}, {"shuffle": True}, {"sampler": [0]},
                   {"drop_last": True}):
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive with "
                                             "batch_size, shuffle, sampler, and drop_last"):
            DataLoader(ds, batch_sampler=[[0]], **kwargs)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching and "
                                         "is mutually exclusive with drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    loader = DataLoader(ds, batch_size=2)
    for attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                 "persistent_workers"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after "
                                             "DataLoader is initialized"):
            setattr(loader, attr, None)
    loader.num_workers = 0  # other attributes may change


def test_default_samplers_and_attributes():
    ds = Range(5)
    loader = DataLoader(ds)
    assert isinstance(loader.sampler, SequentialSampler)
    assert isinstance(loader.batch_sampler, BatchSampler) and loader.batch_size == 1
    assert loader.num_workers == 0 and loader.timeout == 0 and loader.pin_memory is False
    shuffled = DataLoader(ds, shuffle=True, generator=gen(0))
    assert isinstance(shuffled.sampler, RandomSampler)
    assert shuffled.sampler.generator is shuffled.generator
    assert len(DataLoader(ds, batch_size=2)) == 3
    assert [b.tolist() for b in DataLoader(ds)] == [[0], [1], [2], [3], [4]]


def test_too_many_workers_warns():
    with pytest.warns(UserWarning, match="This DataLoader will create 1000 worker processes "
                                         "in total"):
        DataLoader(Range(2), num_workers=1000)


def test_iterator_len_and_no_pickling():
    it = iter(DataLoader(Range(5), batch_size=2))
    assert len(it) == 3
    with pytest.raises(NotImplementedError):
        pickle.dumps(it)


def test_connection_framing_fallback(monkeypatch):
    """Where os.readv is missing (Windows) batches travel as Connection messages."""
    from ember.utils.data._utils import worker

    monkeypatch.setattr(worker, "_RAW_FDS", False)
    ds = TensorDataset(ember.arange(12.0).reshape(6, 2), ember.arange(6))
    out = list(DataLoader(ds, batch_size=4, num_workers=2))
    assert [b[1].tolist() for b in out] == [[0, 1, 2, 3], [4, 5]]
    assert out[1][0].tolist() == [[8.0, 9.0], [10.0, 11.0]]
