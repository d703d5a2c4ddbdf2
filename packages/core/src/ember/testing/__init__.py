"""Testing helpers (``torch.testing``): ``assert_close``, ``make_tensor``, and the backend
conformance suite (``pytest --pyargs ember.testing.conformance --device NAME``)."""

from ._comparison import assert_close
from ._creation import make_tensor

__all__ = ["assert_close", "make_tensor"]
