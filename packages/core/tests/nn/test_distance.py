import importlib.util
import pathlib
import sys

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


def _layer_cases():
    """tests/nn/layer_cases.py (test files import by path here: --import-mode=importlib)."""
    name = "_ember_nn_layer_cases"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, pathlib.Path(__file__).with_name("layer_cases.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cases, close, run_case = _layer_cases().cases, _layer_cases().close, _layer_cases().run_case


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
