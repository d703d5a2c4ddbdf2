// Cross-entropy of logits x (rows, cols) with class targets, one block per row: the
// forward is log_softmax's block-wide max and sum (reduce.cuh) and keeps logsumexp(x[row])
// for the backward, g[row] * (softmax(x[row]) - onehot(target[row])). T is float or double.
#include "reduce.cuh"

template <typename T>
__device__ void cross_entropy_row(const T *x, const long long *target, T *losses, T *lse,
                                  long long cols) {
    const long long row = blockIdx.x;
    const T *xr = x + row * cols;
    T peak, total;
    row_max_and_exp_sum(xr, cols, peak, total);
    if (threadIdx.x == 0) {
        const long long t = target[row];
        const T log_total = log(total);
        losses[row] = (t >= 0 && t < cols) ? log_total - (xr[t] - peak) : quiet_nan<T>();
        lse[row] = log_total + peak;
    }
}

template <typename T>
__device__ void cross_entropy_backward_row(const T *g, const T *x, const long long *target,
                                           const T *lse, T *gx, long long cols) {
    const long long row = blockIdx.x, t = target[row];
    const T scale = g[row], shift = lse[row];
    const T *xr = x + row * cols;
    T *out = gx + row * cols;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x)
        out[j] = exp(xr[j] - shift) * scale - (j == t ? scale : T(0));
}

#define CROSS_ENTROPY_KERNELS(T, SUFFIX)                                                      \
    extern "C" __global__ void cross_entropy_##SUFFIX(const T *x, const long long *target,    \
                                                      T *losses, T *lse, long long cols) {    \
        cross_entropy_row<T>(x, target, losses, lse, cols);                                   \
    }                                                                                         \
    extern "C" __global__ void cross_entropy_backward_##SUFFIX(                               \
        const T *g, const T *x, const long long *target, const T *lse, T *gx,                 \
        long long cols) {                                                                     \
        cross_entropy_backward_row<T>(g, x, target, lse, gx, cols);                           \
    }

CROSS_ENTROPY_KERNELS(float, f32)
CROSS_ENTROPY_KERNELS(double, f64)
