"""``ember.nn.functional``: the functions behind the nn layers (``torch.nn.functional``)."""

from ._activation import *  # noqa: F403
from ._activation import gumbel_softmax  # noqa: F401
from ._attention import *  # noqa: F403
from ._conv import *  # noqa: F403
from ._distance import *  # noqa: F403
from ._dropout import *  # noqa: F403
from ._embedding import *  # noqa: F403
from ._linear import *  # noqa: F403
from ._loss import *  # noqa: F403
from ._normalization import *  # noqa: F403
from ._pooling import *  # noqa: F403
from ._sampling import *  # noqa: F403
