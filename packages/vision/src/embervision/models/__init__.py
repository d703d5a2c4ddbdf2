"""Model architectures and pretrained weights with torchvision's API and state_dict keys."""

from ._api import (
    Weights,
    WeightsEnum,
    get_model,
    get_model_builder,
    get_model_weights,
    get_weight,
    list_models,
)
from .alexnet import *  # noqa: F403
from .efficientnet import *  # noqa: F403
from .efficientnet_lite import EfficientNet_Lite0_Weights, EfficientNetLite, efficientnet_lite0
from .lenet import *  # noqa: F403
from .mobilenetv2 import *  # noqa: F403
from .mobilenetv3 import *  # noqa: F403
from .resnet import *  # noqa: F403
from .vgg import *  # noqa: F403
from .vision_transformer import *  # noqa: F403
