"""Views share storage as in PyTorch; strides, contiguity, clone, contiguous and copy_."""

from __future__ import annotations

import pytest

import ember
from ember.testing import assert_close

from .coverage import covers


def _base(device, dtype=ember.float32):
    return ember.arange(12, device=device).to(dtype).reshape(3, 4)


@covers("reshape", "permute", "broadcast_to", "getitem", "setitem", "assign")
@pytest.mark.parametrize("make_view, write, where", [
    (lambda x: x.view(4, 3), lambda v: v.__setitem__((0, 1), 100.0), (0, 1)),
    (lambda x: x.view(-1), lambda v: v.__setitem__(5, 100.0), (1, 1)),
    (lambda x: x.reshape(2, 6), lambda v: v.__setitem__((1, 0), 100.0), (1, 2)),
    (lambda x: x[1], lambda v: v.__setitem__(2, 100.0), (1, 2)),
    (lambda x: x[:, 1:3], lambda v: v.__setitem__((2, 0), 100.0), (2, 1)),
    (lambda x: x[::2, ::3], lambda v: v.__setitem__((1, 1), 100.0), (2, 3)),
    (lambda x: x.t(), lambda v: v.__setitem__((3, 0), 100.0), (0, 3)),
    (lambda x: x.transpose(0, 1)[1:], lambda v: v.__setitem__((0, 2), 100.0), (2, 1)),
    (lambda x: x.permute(1, 0), lambda v: v.fill_(100.0), None),
    (lambda x: x.unsqueeze(0), lambda v: v.__setitem__((0, 2, 3), 100.0), (2, 3)),
    (lambda x: x[None, ..., None].squeeze(), lambda v: v.__setitem__((0, 0), 100.0), (0, 0)),
    (lambda x: x.narrow(1, 1, 2), lambda v: v.__setitem__((0, 1), 100.0), (0, 2)),
    (lambda x: x.select(1, 3), lambda v: v.__setitem__(1, 100.0), (1, 3)),
    (lambda x: x.unbind(0)[2], lambda v: v.__setitem__(0, 100.0), (2, 0)),
    (lambda x: x.split(2, 1)[1], lambda v: v.__setitem__((1, 1), 100.0), (1, 3)),
    (lambda x: x.chunk(3, 0)[1], lambda v: v.mul_(0), (1, 0)),
    (lambda x: x.flatten(), lambda v: v.__setitem__(11, 100.0), (2, 3)),
    (lambda x: x.detach(), lambda v: v.__setitem__((2, 2), 100.0), (2, 2)),
    (lambda x: x.movedim(0, 1)[3], lambda v: v.__setitem__(0, 100.0), (0, 3)),
], ids=["view", "view-1", "reshape", "int", "slice", "step", "t", "transpose-slice",
        "permute-fill", "unsqueeze", "none-ellipsis-squeeze", "narrow", "select", "unbind",
        "split", "chunk", "flatten", "detach", "movedim"])
def test_writes_through_views_reach_the_base(device, make_view, write, where):
    x = _base(device)
    expected = x.clone()
    v = make_view(x)
    write(v)
    if where is None:
        assert (x == 100).all().item()
        return
    if isinstance(write, type(lambda: 0)) and (x == expected).all().item():
        pytest.fail("the write through the view did not reach the base")
    changed = (x != expected).nonzero().tolist()
    assert [list(where)] == changed or where in [tuple(c) for c in changed]
    # and the base's writes are seen by the view
    x.zero_()
    assert (v == 0).all().item()


def test_expand_and_broadcast_see_the_base(device):
    x = ember.zeros(3, device=device)
    e = x.expand(2, 3)
    b = ember.broadcast_to(x, (4, 3))
    x[1] = 7
    assert e.tolist() == [[0, 7, 0], [0, 7, 0]] and b[3].tolist() == [0, 7, 0]
    assert e.stride() == (0, 1)


def test_results_that_copy(device):
    x = _base(device)
    for copy in (x.clone(), x[[0, 2]], x[x > 5], x.flip(0), x.t().contiguous(),
                 x.t().reshape(-1), x.repeat(1, 1), ember.cat([x, x])):
        before = x.clone()
        copy.zero_() if copy.numel() else None
        assert ember.equal(x, before), "a copy must not share memory with its input"


def test_strides_and_contiguity(device):
    x = _base(device)
    assert x.stride() == (4, 1) and x.stride(0) == 4 and x.stride(-1) == 1
    assert x.t().stride() == (1, 4)
    assert x[:, 1].stride() == (4,) and x[1].stride() == (1,)
    assert x[::2, 1:].stride() == (8, 1)
    assert x.expand(2, 3, 4).stride() == (0, 4, 1)
    assert x.unsqueeze(1).stride() == (4, 4, 1)
    assert x.is_contiguous() and x[1].is_contiguous() and x.unsqueeze(0).is_contiguous()
    assert not x.t().is_contiguous() and not x[:, :2].is_contiguous()
    assert not x[:, :1].is_contiguous() and not x.expand(2, 3, 4).is_contiguous()
    assert ember.ones(2, 1, device=device).t().is_contiguous()
    assert ember.zeros(0, 3, device=device).t().is_contiguous()
    assert x[1:, 2:].storage_offset() == 6
    assert x.element_size() == 4 and x.nbytes == 48
    assert x[1:].data_ptr() == x.data_ptr() + 4 * 4


@covers("copy")
def test_contiguous_and_clone(device):
    x = _base(device)
    assert x.contiguous() is x
    c = x.t().contiguous()
    assert c.is_contiguous() and c.stride() == (3, 1)
    assert_close(c, x.t())
    k = x.clone()
    assert k.data_ptr() != x.data_ptr() and ember.equal(k, x) and k.stride() == (4, 1)
    kt = x.t().clone()  # clone keeps the layout of a dense tensor, as PyTorch's preserve_format
    assert ember.equal(kt, x.t()) and kt.stride() == (1, 4)
    ks = x[:, ::2].clone()  # not dense: a contiguous clone
    assert ks.is_contiguous() and ember.equal(ks, x[:, ::2])
    z = ember.zeros(0, 3, device=device).clone()
    assert z.shape == (0, 3)


@covers("assign", "astype")
def test_copy_(device):
    y = ember.zeros(3, device=device)
    assert y.copy_(ember.tensor([1, 2, 3], device=device)) is y
    assert y.tolist() == [1.0, 2.0, 3.0] and y.dtype is ember.float32
    y.copy_(ember.tensor(5.0, device=device))
    assert y.tolist() == [5.0, 5.0, 5.0]
    m = ember.zeros(2, 3, device=device)
    m.copy_(ember.tensor([1.0, 2.0, 3.0], device=device))
    assert m.tolist() == [[1, 2, 3], [1, 2, 3]]
    m.t().copy_(ember.arange(6, device=device).reshape(3, 2))
    assert m.tolist() == [[0, 2, 4], [1, 3, 5]]
    i = ember.zeros(2, dtype=ember.int32, device=device)
    i.copy_(ember.tensor([1.7, -2.7], device=device))  # copy_ casts, truncating
    assert i.tolist() == [1, -2]
    with pytest.raises(RuntimeError):
        y.copy_(ember.ones(2, device=device))


def test_version_counter_is_shared_by_views(device):
    x = ember.zeros(4, device=device)
    v = x[1:]
    w = x.view(2, 2)
    start = x._version
    v.add_(1)
    assert x._version == v._version == w._version > start
    x.mul_(2)
    assert v._version == x._version
    assert x[0].item() == 0 and v.tolist() == [2.0, 2.0, 2.0]


def test_view_errors(device):
    x = _base(device)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.t().view(-1)
    with pytest.raises(RuntimeError, match="invalid for input of size 12"):
        x.view(5, 3)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    assert x.t().reshape(-1).tolist() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]
