"""Automatic differentiation: the tape, ``Function``, ``backward``/``grad`` and gradcheck."""

from . import anomaly_mode, functional, grad_mode, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "FunctionCtx", "backward", "enable_grad", "grad", "grad_mode",
           "gradcheck", "gradgradcheck", "inference_mode", "no_grad", "once_differentiable",
           "set_grad_enabled", "anomaly_mode", "detect_anomaly", "functional", "graph",
           "set_detect_anomaly"]
