"""``ember.optim``: PyTorch's optimizers and learning-rate schedulers, on Tensor ops only.

Each optimizer's update follows PyTorch's single-tensor implementation operation for
operation, so trajectories match ``torch.optim``'s. A backend may register a multi-tensor
or fused update with :func:`ember.optim.optimizer.register_optimizer_impl`.
"""

from . import lr_scheduler, swa_utils  # noqa: F401
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "LBFGS", "NAdam", "Optimizer",
           "RAdam", "RMSprop", "SGD", "lr_scheduler", "swa_utils"]
