// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011) for ember's cuda backend.
// Element i of a draw uses counter (offset + i / 4, 0, 0, 0) and key (seed_lo, seed_hi), so
// a (seed, offset) pair reproduces a stream exactly, as PyTorch's CUDA generator does.

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

struct uint4x { unsigned int x, y, z, w; };

__device__ __forceinline__ uint4x philox(unsigned long long counter, unsigned int k0,
                                         unsigned int k1) {
    uint4x c = {(unsigned int)counter, (unsigned int)(counter >> 32), 0u, 0u};
    for (int round = 0; round < 10; ++round) {
        unsigned int hi0 = __umulhi(PHILOX_M0, c.x), lo0 = PHILOX_M0 * c.x;
        unsigned int hi1 = __umulhi(PHILOX_M1, c.z), lo1 = PHILOX_M1 * c.z;
        uint4x n = {hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
        c = n;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    return c;
}

__device__ __forceinline__ unsigned int philox_word(unsigned long long offset, long long i,
                                                    unsigned int k0, unsigned int k1) {
    uint4x r = philox(offset + (unsigned long long)(i >> 2), k0, k1);
    switch (i & 3) { case 0: return r.x; case 1: return r.y; case 2: return r.z; }
    return r.w;
}

// Uniform doubles in [0, 1) with 53 random bits from two words.
__device__ __forceinline__ double uniform01(unsigned long long offset, long long i,
                                            unsigned int k0, unsigned int k1) {
    unsigned long long a = philox_word(offset, 2 * i, k0, k1) >> 5;
    unsigned long long b = philox_word(offset, 2 * i + 1, k0, k1) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

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
