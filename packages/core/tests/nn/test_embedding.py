
import pytest
from _ember_nn_layer_cases import cases, run_case

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


@pytest.mark.parametrize("case", cases("Embedding", "EmbeddingBag"))
def test_against_pytorch(case, device):
    run_case(case, device)


@pytest.mark.parametrize("case", cases("embedding", "one_hot", kind="functional"))
def test_functional_against_pytorch(case, device):
    run_case(case, device)


def test_embedding_gradcheck():
    w = ember.randn(6, 3, dtype=ember.float64, requires_grad=True)
    idx = ember.tensor([[0, 2, 2], [5, 1, 0]])
    assert gradcheck(lambda w: F.embedding(idx, w, padding_idx=3), (w,))  # 3 unused
    assert gradgradcheck(lambda w: F.embedding(idx, w) * w[:2, :1].sum(), (w,))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_gradcheck(mode):
    w = ember.randn(6, 3, dtype=ember.float64, requires_grad=True)
    idx = ember.tensor([0, 2, 4, 5, 1, 3])
    offsets = ember.tensor([0, 2, 2])
    assert gradcheck(lambda w: F.embedding_bag(idx, w, offsets, mode=mode), (w,))


def test_padding_idx_row_is_zero_and_gets_no_gradient():
    m = nn.Embedding(5, 2, padding_idx=-1)
    assert m.padding_idx == 4 and m.weight[4].tolist() == [0.0, 0.0]
    m(ember.tensor([4, 4, 1])).sum().backward()
    assert m.weight.grad[4].tolist() == [0.0, 0.0] and m.weight.grad[1].tolist() == [1.0, 1.0]


def test_from_pretrained():
    w = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    assert m(ember.tensor([1])).tolist() == [[3.0, 4.0]]
    m = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=0)
    assert m.weight.requires_grad and m.padding_idx == 0
    bag = nn.EmbeddingBag.from_pretrained(w, mode="sum")
    assert bag(ember.tensor([[0, 1]])).tolist() == [[4.0, 6.0]]


def test_max_norm_renormalises_used_rows_in_place():
    w = ember.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    m = nn.Embedding.from_pretrained(w.clone(), max_norm=1.0)
    m(ember.tensor([0, 1]))
    rows = m.weight.detach()
    assert (rows[0] * rows[0]).sum().sqrt().item() == pytest.approx(1.0, rel=1e-5)
    assert rows[1].tolist() == pytest.approx([0.3, 0.4])
    assert rows[2].tolist() == [6.0, 8.0]  # not looked up: unchanged


def test_embedding_errors():
    m = nn.Embedding(3, 2)
    with pytest.raises(IndexError, match="index out of range in self"):
        m(ember.tensor([3]))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        m(ember.tensor([0.0]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)


def test_embedding_bag_empty_bags_and_errors():
    bag = nn.EmbeddingBag(4, 2, mode="max")
    out = bag(ember.tensor([1, 2]), ember.tensor([0, 0, 2]))
    assert out[0].tolist() == [0.0, 0.0] and out[2].tolist() == [0.0, 0.0]
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported"):
        bag(ember.tensor([1, 2]), ember.tensor([0]), per_sample_weights=ember.ones(2))
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        bag(ember.tensor([1, 2]))


def test_one_hot():
    out = F.one_hot(ember.tensor([0, 2, 1]))
    assert out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]] and out.dtype == ember.int64
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(ember.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(ember.tensor([1.0]))


def test_default_init_is_standard_normal():
    ember.manual_seed(0)
    w = nn.Embedding(200, 100).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
