
import pytest
from _ember_nn_layer_cases import cases, run_case

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck

LOSSES = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss",
          "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss",
          "CosineEmbeddingLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
          "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
          "SoftMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss",
          "LinearCrossEntropyLoss"]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.filterwarnings("ignore:invalid value encountered")
@pytest.mark.parametrize("case", cases(*LOSSES))
def test_against_pytorch(case, device):
    run_case(case, device)


def _x(*shape):
    return ember.randn(*shape, dtype=ember.float64).requires_grad_()


GRADCHECKS = {
    "mse": lambda x, y: F.mse_loss(x, y),
    "l1": lambda x, y: F.l1_loss(x, y, reduction="sum"),
    "smooth_l1": lambda x, y: F.smooth_l1_loss(x, y, beta=0.3),
    "huber": lambda x, y: F.huber_loss(x, y, delta=0.4, reduction="none"),
    "soft_margin": lambda x, y: F.soft_margin_loss(x, y.sign()),
    "bce_logits": lambda x, y: F.binary_cross_entropy_with_logits(
        x, y.sigmoid(), pos_weight=ember.full((4,), 2.0, dtype=ember.float64)),
    "bce": lambda x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid()),
    "kl": lambda x, y: F.kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean"),
    "kl_log": lambda x, y: F.kl_div(x, y, reduction="sum", log_target=True),
    "poisson": lambda x, y: F.poisson_nll_loss(x, y.abs(), full=True),
    "gaussian": lambda x, y: F.gaussian_nll_loss(x, y, y.abs() + 0.5),
    "cosine_emb": lambda x, y: F.cosine_embedding_loss(
        x, y, ember.tensor([1.0, -1.0, 1.0], dtype=ember.float64), margin=-0.5),
    "multilabel_soft": lambda x, y: F.multilabel_soft_margin_loss(x, (y > 0).double()),
    "multi_margin": lambda x, y: F.multi_margin_loss(x, ember.tensor([0, 3, 1]), p=2),
    "triplet": lambda x, y: F.triplet_margin_loss(x, y, y * 0.5 + 1, margin=3.0),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck(name):
    fn = GRADCHECKS[name]
    x, y = _x(3, 4), _x(3, 4)
    assert gradcheck(fn, (x, y))


@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.2}, {"ignore_index": 1},
                                    {"weight": "w"}, {"reduction": "sum"},
                                    {"reduction": "none", "label_smoothing": 0.1}])
def test_cross_entropy_gradcheck(kwargs):
    if kwargs.get("weight") == "w":
        kwargs = {"weight": ember.tensor([0.5, 1.0, 2.0, 0.1], dtype=ember.float64)}
    x = _x(3, 4)
    t = ember.tensor([1, 0, 3])
    assert gradcheck(lambda a: F.cross_entropy(a, t, **kwargs), (x,))
    assert gradgradcheck(lambda a: F.cross_entropy(a, t, **kwargs), (x,))


def test_cross_entropy_probabilities_and_kdim_gradcheck():
    x = _x(2, 3, 2, 2)
    probs = ember.rand(2, 3, 2, 2, dtype=ember.float64).softmax(1)
    assert gradcheck(lambda a: F.cross_entropy(a, probs, label_smoothing=0.3), (x,))
    t = ember.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]])
    assert gradcheck(lambda a: F.cross_entropy(a, t, ignore_index=2), (x,))


def test_ctc_gradcheck():
    logits = _x(6, 2, 4)
    targets = ember.tensor([[1, 2, 2], [3, 1, 0]])
    assert gradcheck(lambda a: F.ctc_loss(a.log_softmax(2), targets, [6, 5], [3, 2]), (logits,))


def test_nll_and_ce_match_by_hand():
    x = ember.tensor([[1.0, 2.0, 3.0], [1.0, 0.0, -1.0]])
    t = ember.tensor([2, 0])
    logp = x.log_softmax(1)
    expected = -(logp[0, 2] + logp[1, 0]) / 2
    assert F.cross_entropy(x, t).item() == pytest.approx(expected.item())
    assert F.nll_loss(logp, t).item() == pytest.approx(expected.item())


def test_cross_entropy_all_ignored_is_nan():
    out = F.cross_entropy(ember.randn(2, 3), ember.tensor([-100, -100]))
    assert out.isnan().item()


def test_loss_errors():
    with pytest.raises(ValueError, match="Expected input batch_size \\(3\\) to match target "
                                         "batch_size \\(2\\)"):
        F.cross_entropy(ember.randn(3, 4), ember.tensor([0, 1]))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.nll_loss(ember.randn(2, 4), ember.tensor([0, 7]))
    with pytest.raises(ValueError, match="blah is not a valid value for reduction"):
        F.mse_loss(ember.randn(2), ember.randn(2), reduction="blah")
    with pytest.raises(ValueError, match="Target size"):
        F.binary_cross_entropy_with_logits(ember.randn(2, 3), ember.rand(3, 2))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(ember.tensor([1.5]), ember.tensor([1.0]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got "
                                           "Float"):
        F.nll_loss(ember.randn(2, 3), ember.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got "
                                           "Float"):
        F.cross_entropy(ember.randn(3, 5), ember.randn(3))
    with pytest.raises(ValueError, match="Expected input batch_size \\(3\\) to match target "
                                         "batch_size \\(1\\)"):
        F.nll_loss(ember.randn(3, 5, 2), ember.tensor([[1, 2]]))
    assert F.nll_loss(ember.randn(3, 5), ember.tensor([1, 2, 3], dtype=ember.uint8)).ndim == 0
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(ember.randn(2), ember.randn(2), ember.tensor([1.0, -1.0]))


def test_size_mismatch_warns():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(ember.randn(3, 1), ember.randn(3))


def test_legacy_reduction_flags():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(ember.randn(2, 3), ember.rand(2, 3))


def test_weighted_losses_register_buffers():
    w = ember.tensor([1.0, 2.0, 3.0])
    m = nn.CrossEntropyLoss(weight=w)
    assert list(m.state_dict()) == ["weight"] and m.weight is w
    m = m.double()
    assert m.weight.dtype == ember.float64
    b = nn.BCEWithLogitsLoss(pos_weight=ember.ones(2))
    assert list(b.state_dict()) == ["pos_weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []


def test_ctc_infinite_and_zero_infinity():
    lp = ember.randn(2, 1, 3).log_softmax(2).detach().requires_grad_()
    targets = ember.tensor([[1, 1, 1]])  # needs at least 5 frames
    loss = F.ctc_loss(lp, targets, [2], [3], reduction="sum")
    assert loss.item() == float("inf")
    loss = F.ctc_loss(lp, targets, [2], [3], reduction="sum", zero_infinity=True)
    assert loss.item() == 0.0
    loss.backward()
    assert lp.grad.abs().sum().item() == 0.0


def test_unbatched_ctc():
    lp = ember.randn(5, 4, dtype=ember.float64).log_softmax(1)
    batched = F.ctc_loss(lp.unsqueeze(1), ember.tensor([[1, 2]]), [5], [2], reduction="none")
    single = F.ctc_loss(lp, ember.tensor([1, 2]), 5, 2, reduction="none")
    assert single.shape == () and single.item() == pytest.approx(batched.item())


def test_loss_reprs():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.TripletMarginWithDistanceLoss()) == (
        "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)")
