"""``ember.nn``: modules, parameters, functional, init and utils (``torch.nn``)."""

from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: I001
from .modules import *  # noqa: F403
from .modules import LazyModuleMixin, Module  # noqa: F401
from .modules.module import (  # noqa: F401
    register_module_backward_hook, register_module_buffer_registration_hook,
    register_module_forward_hook, register_module_forward_pre_hook,
    register_module_full_backward_hook, register_module_full_backward_pre_hook,
    register_module_module_registration_hook, register_module_parameter_registration_hook,
)
from . import functional, init, parameter, utils  # noqa: F401
