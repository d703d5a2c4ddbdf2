// Row-wise softmax and log-softmax over the last axis of a contiguous (rows, cols) array:
// one block per row, block-wide max and sum (reduce.cuh). T is float or double.
#include "reduce.cuh"

template <typename T>
__device__ void softmax_row(const T *x, T *y, long long cols, bool log_output) {
    const T *row = x + blockIdx.x * cols;
    T *out = y + blockIdx.x * cols;
    T peak, total;
    row_max_and_exp_sum(row, cols, peak, total);
    if (log_output) {  // (x - max) - log(total): adding the max back first would round
        T log_total = log(total);
        for (long long j = threadIdx.x; j < cols; j += blockDim.x)
            out[j] = (row[j] - peak) - log_total;
    } else {
        for (long long j = threadIdx.x; j < cols; j += blockDim.x)
            out[j] = exp(row[j] - peak) / total;
    }
}

extern "C" __global__ void softmax_f32(const float *x, float *y, long long cols) {
    softmax_row<float>(x, y, cols, false);
}
extern "C" __global__ void softmax_f64(const double *x, double *y, long long cols) {
    softmax_row<double>(x, y, cols, false);
}
extern "C" __global__ void log_softmax_f32(const float *x, float *y, long long cols) {
    softmax_row<float>(x, y, cols, true);
}
extern "C" __global__ void log_softmax_f64(const double *x, double *y, long long cols) {
    softmax_row<double>(x, y, cols, true);
}
