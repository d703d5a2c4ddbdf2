
import numpy as np
import pytest
from _ember_nn_layer_cases import cases, close, run_case

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


@pytest.mark.parametrize("case", cases("CosineSimilarity", "PairwiseDistance"))
def test_against_pytorch(case, device):
    run_case(case, device)


@pytest.mark.parametrize("case", cases("pdist", "cosine_similarity", kind="functional"))
def test_functional_against_pytorch(case, device):
    run_case(case, device)


def test_gradchecks():
    a = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    b = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    assert gradcheck(F.cosine_similarity, (a, b))
    assert gradcheck(lambda a, b: F.pairwise_distance(a, b, 3.0), (a, b))
    assert gradcheck(lambda a: F.pdist(a), (a,))
    assert gradcheck(lambda a: F.normalize(a, dim=0), (a,))
    assert gradgradcheck(F.cosine_similarity, (a, b))


def test_zero_vectors_have_finite_gradients():
    a = ember.zeros(2, 3, requires_grad=True)
    F.normalize(a).sum().backward()  # the norm is clamped to eps: as PyTorch, 1 / eps
    close(a.grad, np.full((2, 3), 1e12), rtol=1e-6)
    b = ember.zeros(2, 3, requires_grad=True)
    F.cosine_similarity(b, ember.ones(2, 3)).sum().backward()
    assert not b.grad.isnan().any().item()


def test_cosine_similarity_clamps_norms():
    a = ember.tensor([[1e-10, 0.0]])
    out = F.cosine_similarity(a, a)
    assert out.item() == pytest.approx(1e-20 / 1e-16)


def test_pdist_order():
    x = ember.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    assert F.pdist(x).tolist() == pytest.approx([5.0, 10.0, 5.0])
