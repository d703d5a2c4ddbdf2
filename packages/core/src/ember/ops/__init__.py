"""The op implementations, and their installation as ``Tensor`` methods."""

from . import (
    creation,
    indexing,
    inplace,
    linalg,
    methods,  # noqa: E402,F401  (installs Tensor methods)
    pointwise,
    reduction,
    shape,
)
from .creation import *  # noqa: F403
from .indexing import (
    gather,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    take_along_dim,
)
from .linalg import bmm, dot, einsum, ger, inner, matmul, mm, mv, outer
from .pointwise import *  # noqa: F403
from .pointwise import abs, add, div, mul, pow, round, sub  # noqa: F401  (shadow builtins)
from .reduction import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    nansum,
    norm,
    prod,
    softmax,
    std,
    std_mean,
    sum,
    var,
    var_mean,
)
from .shape import *  # noqa: F403

# isort: split
# the tensor library: special math, sorting, more reductions, shape and indexing ops, and
# linear algebra beyond matmul (these names take precedence over the ones above)
from . import (  # noqa: E402
    indexing_extra,
    linalg_extra,
    reduction_extra,
    shape_extra,
    sorting,
    special_math,
)
from .indexing_extra import *  # noqa: E402,F403
from .linalg_extra import *  # noqa: E402,F403
from .reduction_extra import *  # noqa: E402,F403
from .shape_extra import *  # noqa: E402,F403
from .sorting import *  # noqa: E402,F403
from .special_math import *  # noqa: E402,F403
