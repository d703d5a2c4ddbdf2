"""``AveragedModel`` (``torch.optim.swa_utils.AveragedModel``), exported by ``swa_utils``."""

from __future__ import annotations

import itertools
from copy import deepcopy

from .. import _dtype
from ..nn import Module
from ..ops.creation import tensor
from .optimizer import _group_tensors_by_device_and_dtype
from .swa_utils import get_swa_avg_fn, get_swa_multi_avg_fn

__all__ = ["AveragedModel"]

_FOREACH_DEVICES = frozenset(("cuda", "xpu"))


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are an (SWA or EMA) average of the model's.

    Args:
        model: the model to average.
        device: if given, the averaged copy lives on this device.
        avg_fn: ``avg_fn(averaged_param, model_param, num_averaged) -> new averaged value``.
        multi_avg_fn: the same on lists of tensors (one device and dtype per call),
            updating the averaged tensors in place; e.g. ``get_ema_multi_avg_fn(0.999)``.
        use_buffers: average the buffers too (else copy them from the model).

    Without ``avg_fn`` and ``multi_avg_fn`` the average is equally weighted (SWA).
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=_dtype.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current parameters (and buffers, with use_buffers) in."""
        self_param = (itertools.chain(self.module.parameters(), self.module.buffers())
                      if self.use_buffers else self.parameters())
        model_param = (itertools.chain(model.parameters(), model.buffers())
                       if self.use_buffers else model.parameters())
        self_param_detached = []
        model_param_detached = []
        copy_param = bool(self.n_averaged == 0)
        for p_averaged, p_model in zip(self_param, model_param):
            p_model_ = p_model.detach().to(p_averaged.device)
            self_param_detached.append(p_averaged.detach())
            model_param_detached.append(p_model_)
            if copy_param:
                p_averaged.detach().copy_(p_model_)

        if self.n_averaged > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                grouped = _group_tensors_by_device_and_dtype([self_param_detached,
                                                              model_param_detached])
                for (device, _), ((self_params, model_params), _) in grouped.items():
                    n_averaged = self.n_averaged.to(device)
                    if self.multi_avg_fn:
                        self.multi_avg_fn(self_params, model_params, n_averaged)
                    elif device.type in _FOREACH_DEVICES:
                        # as PyTorch: the lerp form where it has foreach kernels
                        get_swa_multi_avg_fn()(self_params, model_params, n_averaged)
                    else:
                        avg_fn = get_swa_avg_fn()
                        for p_averaged, p_model in zip(self_params, model_params):
                            p_averaged.copy_(avg_fn(p_averaged, p_model, n_averaged))
            else:
                for p_averaged, p_model in zip(self_param_detached, model_param_detached):
                    n_averaged = self.n_averaged.to(p_averaged.device)
                    p_averaged.detach().copy_(
                        self.avg_fn(p_averaged.detach(), p_model, n_averaged))

        if not self.use_buffers:
            # keep the buffers in sync with the source model
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa.detach().copy_(b_model.detach().to(b_swa.device))
        self.n_averaged += 1


AveragedModel.__module__ = "ember.optim.swa_utils"
