// layer_norm (CENTRE: subtract the row mean) and rms_norm over the last axis of contiguous
// (rows, cols) arrays, forward and backward. The forward and the input gradient give one
// block to a row (block-wide sums, reduce.cuh); statistics accumulate in T (float or double)
// in two passes over the row, as the core decomposition computes them. The weight and bias
// gradients sum columns: a (32, 8) block covers 32 columns of a chunk of rows and writes
// one partial sum per chunk, which the host adds up. A null weight, bias or output is
// skipped.
#include "reduce.cuh"

template <typename T, bool CENTRE>
__device__ void norm_forward(const T *x, const T *w, const T *b, T *y, T *mean_out,
                             T *rstd_out, long long cols, double eps) {
    const long long row = blockIdx.x;
    const T *xr = x + row * cols;
    T *yr = y + row * cols;
    T mean = 0;
    if (CENTRE) {
        T total = 0;
        for (long long j = threadIdx.x; j < cols; j += blockDim.x) total += xr[j];
        mean = block_sum(total) / (T)cols;
    }
    T squares = 0;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
        T c = xr[j] - mean;
        squares += c * c;
    }
    T rstd = T(1) / sqrt(block_sum(squares) / (T)cols + (T)eps);
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
        T v = (xr[j] - mean) * rstd;
        if (w) v *= w[j];
        if (b) v += b[j];
        yr[j] = v;
    }
    if (threadIdx.x == 0) {
        if (CENTRE) mean_out[row] = mean;
        rstd_out[row] = rstd;
    }
}

// gx = (gxhat [- mean(gxhat)] - xhat * mean(gxhat * xhat)) * rstd, gxhat = g * w.
template <typename T, bool CENTRE>
__device__ void norm_backward_input(const T *g, const T *x, const T *w, const T *mean,
                                    const T *rstd, T *gx, long long cols) {
    const long long row = blockIdx.x;
    const T *gr = g + row * cols, *xr = x + row * cols;
    const T mu = CENTRE ? mean[row] : T(0), r = rstd[row];
    T sum_g = 0, sum_gx = 0;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
        T gxhat = w ? gr[j] * w[j] : gr[j];
        sum_g += gxhat;
        sum_gx += gxhat * (xr[j] - mu) * r;
    }
    const T mean_g = CENTRE ? block_sum(sum_g) / (T)cols : T(0);
    const T mean_gx = block_sum(sum_gx) / (T)cols;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) {
        T gxhat = w ? gr[j] * w[j] : gr[j];
        gx[row * cols + j] = (gxhat - mean_g - (xr[j] - mu) * r * mean_gx) * r;
    }
}

template <typename T, bool CENTRE>
__device__ void norm_backward_params(const T *g, const T *x, const T *mean, const T *rstd,
                                     T *gw_part, T *gb_part, long long rows, long long cols,
                                     long long rows_per_chunk) {
    __shared__ T shared_w[8][33], shared_b[8][33];
    const long long col = blockIdx.x * 32LL + threadIdx.x;
    const long long start = blockIdx.y * rows_per_chunk;
    const long long stop = min(rows, start + rows_per_chunk);
    T acc_w = 0, acc_b = 0;
    if (col < cols) {
        for (long long r = start + threadIdx.y; r < stop; r += blockDim.y) {
            T gv = g[r * cols + col];
            acc_w += gv * (x[r * cols + col] - (CENTRE ? mean[r] : T(0))) * rstd[r];
            acc_b += gv;
        }
    }
    shared_w[threadIdx.y][threadIdx.x] = acc_w;
    shared_b[threadIdx.y][threadIdx.x] = acc_b;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        for (int i = 1; i < (int)blockDim.y; ++i) {
            acc_w += shared_w[i][threadIdx.x];
            acc_b += shared_b[i][threadIdx.x];
        }
        if (gw_part) gw_part[blockIdx.y * cols + col] = acc_w;
        if (gb_part) gb_part[blockIdx.y * cols + col] = acc_b;
    }
}

#define NORM_KERNELS(NAME, CENTRE, T, SUFFIX)                                                 \
    extern "C" __global__ void NAME##_##SUFFIX(const T *x, const T *w, const T *b, T *y,      \
                                               T *mean, T *rstd, long long cols,              \
                                               double eps) {                                  \
        norm_forward<T, CENTRE>(x, w, b, y, mean, rstd, cols, eps);                           \
    }                                                                                         \
    extern "C" __global__ void NAME##_backward_input_##SUFFIX(                                \
        const T *g, const T *x, const T *w, const T *mean, const T *rstd, T *gx,              \
        long long cols) {                                                                     \
        norm_backward_input<T, CENTRE>(g, x, w, mean, rstd, gx, cols);                        \
    }                                                                                         \
    extern "C" __global__ void NAME##_backward_params_##SUFFIX(                               \
        const T *g, const T *x, const T *mean, const T *rstd, T *gw_part, T *gb_part,         \
        long long rows, long long cols, long long rows_per_chunk) {                           \
        norm_backward_params<T, CENTRE>(g, x, mean, rstd, gw_part, gb_part, rows, cols,       \
                                        rows_per_chunk);                                      \
    }

NORM_KERNELS(layer_norm, true, float, f32)
NORM_KERNELS(layer_norm, true, double, f64)
NORM_KERNELS(rms_norm, false, float, f32)
NORM_KERNELS(rms_norm, false, double, f64)
