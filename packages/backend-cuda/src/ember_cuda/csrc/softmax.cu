// Row-wise softmax and log-softmax over the last axis of a contiguous (rows, cols) array:
// one block per row, a block-wide max and sum in shared memory, float accumulation for
// half inputs. T is instantiated for float and double by the host code.

template <typename T>
__device__ T block_reduce(T value, T *shared, bool is_max) {
    int lane = threadIdx.x;
    shared[lane] = value;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (lane < stride) {
            T other = shared[lane + stride];
            shared[lane] = is_max ? max(shared[lane], other) : shared[lane] + other;
        }
        __syncthreads();
    }
    T result = shared[0];
    __syncthreads();
    return result;
}

template <typename T>
__device__ void softmax_row(const T *x, T *y, long long cols, bool log_output) {
    extern __shared__ unsigned char raw[];
    T *shared = reinterpret_cast<T *>(raw);
    const T *row = x + blockIdx.x * cols;
    T *out = y + blockIdx.x * cols;
    T peak = -INFINITY;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) peak = max(peak, row[j]);
    peak = block_reduce(peak, shared, true);
    if (isinf(peak)) peak = 0;  // all -inf rows give nan (as PyTorch); +inf gives nan too
    T total = 0;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) total += exp(row[j] - peak);
    total = block_reduce(total, shared, false);
    if (log_output) {
        T shift = peak + log(total);
        for (long long j = threadIdx.x; j < cols; j += blockDim.x) out[j] = row[j] - shift;
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
