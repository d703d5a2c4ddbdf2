// Dropout over a contiguous array: element i keeps x[i] * scale where the i-th uniform of
// the generator's stream (philox.cuh, as philox_uniform draws it, rounded to T) is >= p,
// else 0, and writes the mask (scale or 0) for the backward. The same (seed, offset) thus
// gives the mask of the core decomposition (uniform, then >= p). T is float or double.
#include "philox.cuh"

template <typename T>
__device__ void dropout_body(const T *x, T *y, T *mask, long long n, unsigned long long offset,
                             unsigned int k0, unsigned int k1, double p, double scale) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x) {
        const T keep = (T)uniform01(offset, i, k0, k1) >= (T)p ? (T)scale : T(0);
        mask[i] = keep;
        y[i] = x[i] * keep;
    }
}

#define DROPOUT_KERNEL(T, SUFFIX)                                                             \
    extern "C" __global__ void dropout_##SUFFIX(const T *x, T *y, T *mask, long long n,       \
                                                unsigned long long offset, unsigned int k0,   \
                                                unsigned int k1, double p, double scale) {    \
        dropout_body<T>(x, y, mask, n, offset, k0, k1, p, scale);                             \
    }

DROPOUT_KERNEL(float, f32)
DROPOUT_KERNEL(double, f64)
