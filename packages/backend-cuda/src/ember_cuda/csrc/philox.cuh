// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011) for ember's cuda backend.
// Element i of a draw uses counter (offset + i / 4, 0, 0, 0) and key (seed_lo, seed_hi), so
// a (seed, offset) pair reproduces a stream exactly, as PyTorch's CUDA generator does.
#ifndef EMBER_PHILOX_CUH
#define EMBER_PHILOX_CUH

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

#endif
