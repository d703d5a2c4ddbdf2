"""Adagrad (``torch.optim.Adagrad``)."""

from __future__ import annotations

from .._tensor import Tensor
from ..ops import creation
from .optimizer import (
    Optimizer,
    _check_fused_foreach,
    _check_lr,
    _closure_loss,
    _get_scalar_dtype,
    _get_value,
    _pick_impl,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """Implements the Adagrad algorithm; state is created eagerly, as in PyTorch."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            self._step_supports_amp_scaling = True
        _check_fused_foreach(fused, foreach, differentiable)

        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = (creation.zeros((), dtype=_get_scalar_dtype(is_fused=True),
                                                device=p.device)
                                 if group["fused"]
                                 else creation.tensor(0.0, dtype=_get_scalar_dtype()))
                state["sum"] = creation.full_like(p, initial_accumulator_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        fused = None
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            fused = group.setdefault("fused", None)
        state_values = list(self.state.values())
        step_is_tensor = len(state_values) != 0 and isinstance(state_values[0]["step"], Tensor)
        if not step_is_tensor:
            for s in state_values:
                s["step"] = creation.tensor(float(s["step"]),
                                            dtype=_get_scalar_dtype(is_fused=fused))

    def share_memory(self):
        """No-op kept for API compatibility (``Tensor.share_memory_`` on the sums)."""
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state[p]["sum"]
                if hasattr(s, "share_memory_"):
                    s.share_memory_()

    def _init_group(self, group, params_with_grad, grads, state_sums, state_steps):
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            params_with_grad.append(p)
            grads.append(g)
            state = self.state[p]
            if len(state) == 0:  # a parameter added with add_param_group after __init__
                state["step"] = (creation.zeros((), dtype=_get_scalar_dtype(is_fused=True),
                                                device=p.device)
                                 if group["fused"]
                                 else creation.tensor(0.0, dtype=_get_scalar_dtype()))
                state["sum"] = creation.full_like(p, self.defaults["initial_accumulator_value"])
            state_sums.append(state["sum"])
            state_steps.append(state["step"])
        return False, False

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, state_sums, state_steps = [], [], [], []
            has_sparse_grad, _ = self._init_group(group, params_with_grad, grads, state_sums,
                                                  state_steps)
            adagrad(params_with_grad, grads, state_sums, state_steps, lr=group["lr"],
                    weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                    eps=group["eps"], has_sparse_grad=has_sparse_grad,
                    foreach=group["foreach"], maximize=group["maximize"],
                    differentiable=group["differentiable"], fused=group["fused"],
                    grad_scale=getattr(self, "grad_scale", None),
                    found_inf=getattr(self, "found_inf", None))
        return loss


def adagrad(params, grads, state_sums, state_steps, fused=None, grad_scale=None, found_inf=None,
            has_sparse_grad=False, foreach=None, differentiable=False, has_complex=False, *, lr,
            weight_decay, lr_decay, eps, maximize):
    """Functional Adagrad."""
    if not all(isinstance(t, Tensor) for t in state_steps):
        raise RuntimeError("API has changed, `state_steps` argument must contain a list of "
                           "singleton tensors")
    func = _pick_impl("adagrad", _single_tensor_adagrad, params, foreach, fused, differentiable)
    func(params, grads, state_sums, state_steps, lr=lr, weight_decay=weight_decay,
         lr_decay=lr_decay, eps=eps, has_sparse_grad=has_sparse_grad, maximize=maximize,
         differentiable=differentiable, grad_scale=grad_scale, found_inf=found_inf)


def _single_tensor_adagrad(params, grads, state_sums, state_steps, grad_scale=None,
                           found_inf=None, *, lr, weight_decay, lr_decay, eps, maximize,
                           has_sparse_grad=False, differentiable=False, has_complex=False):
    if grad_scale is not None or found_inf is not None:
        raise AssertionError("Expected grad_scale and found_inf to be None")
    lr = _to_scalar(lr)
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps):
        step_t += 1
        step = _get_value(step_t)
        grad = grad if not maximize else -grad

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        clr = lr / (1 + (step - 1) * lr_decay)

        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt() + eps if differentiable else state_sum.sqrt().add_(eps)
        param.addcdiv_(grad, std, value=-clr)
