"""Shape arithmetic that the core decompositions and the backends' own kernels share."""

from __future__ import annotations


def out_size(size, k, s, p, d, ceil_mode=False):
    """How many windows of kernel ``k`` (stride ``s``, padding ``p``, dilation ``d``) fit
    along an axis of ``size``: a convolution's or pooling's output size, as in PyTorch."""
    span = size + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        n = -(-span // s) + 1
        if (n - 1) * s >= size + p:  # the last window must start inside the input or left pad
            n -= 1
        return n
    return span // s + 1
