// Block-wide reductions for kernels that give one block to a row: a warp reduces with
// shuffles, then the first warp reduces the warps' results (through 32 values of shared
// memory). blockDim.x must be a multiple of 32, at most 1024; every thread gets the result.
#ifndef EMBER_REDUCE_CUH
#define EMBER_REDUCE_CUH

// NVRTC has no math.h (no INFINITY, no NAN): both from their float bit patterns.
template <typename T> __device__ __forceinline__ T positive_infinity() {
    return (T)__int_as_float(0x7f800000);
}
template <typename T> __device__ __forceinline__ T quiet_nan() {
    return (T)__int_as_float(0x7fc00000);
}

struct SumOp {
    template <typename T> __device__ __forceinline__ T operator()(T a, T b) const {
        return a + b;
    }
};

struct MaxOp {
    template <typename T> __device__ __forceinline__ T operator()(T a, T b) const {
        return max(a, b);
    }
};

template <typename T, typename Op>
__device__ __forceinline__ T warp_reduce(T value, Op op) {
    for (int lane_mask = 16; lane_mask > 0; lane_mask >>= 1)
        value = op(value, __shfl_xor_sync(0xffffffffu, value, lane_mask));
    return value;
}

template <typename T, typename Op>
__device__ T block_reduce(T value, Op op, T identity) {
    __shared__ T partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    value = warp_reduce(value, op);
    if (lane == 0) partial[warp] = value;
    __syncthreads();
    if (warp == 0) {
        value = warp_reduce(lane < (int)(blockDim.x >> 5) ? partial[lane] : identity, op);
        if (lane == 0) partial[0] = value;
    }
    __syncthreads();
    value = partial[0];
    __syncthreads();  // the next call may overwrite partial
    return value;
}

template <typename T> __device__ __forceinline__ T block_sum(T value) {
    return block_reduce(value, SumOp(), T(0));
}

template <typename T> __device__ __forceinline__ T block_max(T value) {
    return block_reduce(value, MaxOp(), -positive_infinity<T>());
}

// A row's maximum and the sum of exp(x - maximum), block-wide: the two passes of softmax,
// log_softmax and cross-entropy. An infinite maximum makes the sum (so the row) nan, as in
// PyTorch.
template <typename T>
__device__ void row_max_and_exp_sum(const T *row, long long cols, T &peak, T &total) {
    T local = -positive_infinity<T>();
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) local = max(local, row[j]);
    peak = block_max(local);
    T sum = 0;
    for (long long j = threadIdx.x; j < cols; j += blockDim.x) sum += exp(row[j] - peak);
    total = block_sum(sum);
}

#endif
