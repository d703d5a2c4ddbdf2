// The random kernels of ember's cuda backend (uniform, normal, randint) over philox.cuh.
#include "philox.cuh"

extern "C" __global__ void philox_uniform(double *out, long long n, unsigned long long offset,
                                          unsigned int k0, unsigned int k1, double low,
                                          double high) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x) {
        out[i] = low + (high - low) * uniform01(offset, i, k0, k1);
    }
}

// Box-Muller: pair (2j, 2j+1) shares one pair of uniforms.
extern "C" __global__ void philox_normal(double *out, long long n, unsigned long long offset,
                                         unsigned int k0, unsigned int k1, double mean,
                                         double std) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x) {
        long long pair = i >> 1;
        double u1 = 1.0 - uniform01(offset, 2 * pair, k0, k1);  // in (0, 1]
        double u2 = uniform01(offset, 2 * pair + 1, k0, k1);
        double radius = sqrt(-2.0 * log(u1));
        double angle = 6.283185307179586 * u2;
        out[i] = mean + std * ((i & 1) ? radius * sin(angle) : radius * cos(angle));
    }
}

// Integers in [low, low + range) from 64 random bits (modulo bias below 2^-32 for ranges
// under 2^32, as in PyTorch's random_).
extern "C" __global__ void philox_randint(long long *out, long long n, unsigned long long offset,
                                          unsigned int k0, unsigned int k1, long long low,
                                          unsigned long long range) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x) {
        unsigned long long bits =
            ((unsigned long long)philox_word(offset, 2 * i, k0, k1) << 32) |
            philox_word(offset, 2 * i + 1, k0, k1);
        out[i] = low + (long long)(bits % range);
    }
}
