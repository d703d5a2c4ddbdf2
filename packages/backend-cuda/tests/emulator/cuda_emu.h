// The CUDA C that ember_cuda's kernels (src/ember_cuda/csrc/) use, emulated on the CPU so that
// their values can be tested without a GPU (fake_cupy.py compiles each source with g++ and
// this header). A launch runs its blocks one after another; the threads of a block are fibers
// (ucontext) on the calling thread, switched only at __syncthreads and warp shuffles, which
// synchronise as on the GPU. A launch fails (emu::launch returns why) on a barrier that not
// every thread reaches, a shuffle outside a full warp, a configuration the GPU refuses and
// arguments whose sizes differ from the kernel's parameters. __shared__ variables are
// function statics: one copy, which the blocks use in turn.
#pragma once
#include <math.h>
#include <ucontext.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct dim3 { unsigned x = 1, y = 1, z = 1; };
struct uint3 { unsigned x = 0, y = 0, z = 0; };

namespace emu {
constexpr size_t kStackBytes = 64 * 1024;

struct Barrier { unsigned expected = 0, arrived = 0, generation = 0; };

struct Thread {
    ucontext_t context;
    std::unique_ptr<char[]> stack{new char[kStackBytes]};
    uint3 index;
    const Barrier *waiting_on = nullptr;  // blocked until waiting_on->generation != generation
    unsigned generation = 0;
    bool done = false;
};

struct Block {
    ucontext_t scheduler;
    std::vector<Thread> threads;
    Thread *current = nullptr;
    Barrier barrier;                    // __syncthreads
    std::vector<Barrier> warp_barriers;  // shuffles
    std::vector<unsigned long long> lanes;  // the values a shuffle exchanges
    std::function<void()> body;
    std::string error;
};

inline uint3 thread_index, block_index;
inline dim3 block_dim, grid_dim;
inline Block *block;
inline std::mutex one_launch_at_a_time;
inline std::string last_error;

inline void fail(const std::string &message) {
    if (block->error.empty()) block->error = message;
}

inline unsigned linear_thread() {
    return thread_index.x + block_dim.x * (thread_index.y + block_dim.y * thread_index.z);
}

// Arrive at b and switch to the other threads until all its threads have arrived.
inline void wait(Barrier &b) {
    if (++b.arrived == b.expected) {
        b.arrived = 0;
        ++b.generation;
        return;
    }
    Thread *self = block->current;
    self->waiting_on = &b;
    self->generation = b.generation;
    swapcontext(&self->context, &block->scheduler);
}

inline void thread_entry() {
    block->body();
    block->current->done = true;  // then uc_link resumes the scheduler
}

// Run every thread of the block until all return; false on a deadlock.
inline bool run_block(Block &b) {
    for (Thread &t : b.threads) {
        getcontext(&t.context);
        t.context.uc_stack.ss_sp = t.stack.get();
        t.context.uc_stack.ss_size = kStackBytes;
        t.context.uc_link = &b.scheduler;
        makecontext(&t.context, thread_entry, 0);
        t.waiting_on = nullptr;
        t.done = false;
    }
    for (;;) {
        bool running = false, progressed = false;
        for (Thread &t : b.threads) {
            if (t.done) continue;
            running = true;
            if (t.waiting_on && t.waiting_on->generation == t.generation) continue;
            t.waiting_on = nullptr;
            b.current = &t;
            thread_index = t.index;
            swapcontext(&b.scheduler, &t.context);
            progressed = true;
        }
        if (!running) return true;
        if (!progressed) {
            fail("deadlock: threads wait at a barrier that other threads never reach");
            return false;
        }
    }
}

inline std::string check_launch(const dim3 &g, const dim3 &b) {
    const unsigned long long threads = 1ULL * b.x * b.y * b.z;
    if (!g.x || !g.y || !g.z || !threads) return "a grid or block dimension is 0";
    if (threads > 1024 || b.z > 64) return "more threads per block than CUDA allows";
    if (g.y > 65535 || g.z > 65535) return "grid y or z above 65535";
    return "";
}

template <class... A, size_t... I>
void call(void (*kernel)(A...), void **args, std::index_sequence<I...>) {
    kernel(*static_cast<A *>(args[I])...);
}

// Launch kernel over grid x threads; args[i] points at the i-th argument, of sizes[i] bytes.
// Returns nullptr, or why the launch failed.
template <class... A>
const char *launch(void (*kernel)(A...), const unsigned *dims, void **args,
                   const unsigned long long *sizes, int count) {
    std::lock_guard<std::mutex> lock(one_launch_at_a_time);
    const std::array<size_t, sizeof...(A)> expected = {sizeof(A)...};
    const dim3 g = {dims[0], dims[1], dims[2]}, b = {dims[3], dims[4], dims[5]};
    last_error = check_launch(g, b);
    if (count != (int)sizeof...(A))
        last_error = "the kernel takes " + std::to_string(sizeof...(A)) + " arguments, not " +
                     std::to_string(count);
    for (int i = 0; last_error.empty() && i < count; ++i)
        if (sizes[i] != expected[i])
            last_error = "argument " + std::to_string(i) + " has " + std::to_string(sizes[i]) +
                         " bytes; the kernel's parameter has " + std::to_string(expected[i]);
    if (!last_error.empty()) return last_error.c_str();

    const unsigned n = b.x * b.y * b.z, warps = (n + 31) / 32;
    Block blk;
    blk.threads.resize(n);
    for (unsigned t = 0; t < n; ++t) blk.threads[t].index = {t % b.x, t / b.x % b.y, t / (b.x * b.y)};
    blk.barrier.expected = n;
    blk.warp_barriers.resize(warps);
    for (unsigned w = 0; w < warps; ++w) blk.warp_barriers[w].expected = std::min(32u, n - 32 * w);
    blk.lanes.resize(n);
    blk.body = [&] { call(kernel, args, std::index_sequence_for<A...>{}); };
    block = &blk;
    block_dim = b;
    grid_dim = g;
    for (unsigned z = 0; z < g.z; ++z)
        for (unsigned y = 0; y < g.y; ++y)
            for (unsigned x = 0; x < g.x; ++x) {
                block_index = {x, y, z};
                if (!run_block(blk)) {
                    last_error = blk.error;
                    return last_error.c_str();
                }
            }
    if (!blk.error.empty()) last_error = blk.error;
    return last_error.empty() ? nullptr : last_error.c_str();
}
}  // namespace emu

#define threadIdx emu::thread_index
#define blockIdx emu::block_index
#define blockDim emu::block_dim
#define gridDim emu::grid_dim
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

inline void __syncthreads() { emu::wait(emu::block->barrier); }

template <class T> T __shfl_xor_sync(unsigned mask, T value, int lane_mask) {
    static_assert(sizeof(T) <= sizeof(unsigned long long), "a shuffle moves at most 8 bytes");
    emu::Block &b = *emu::block;
    const unsigned me = emu::linear_thread(), partner = me ^ (unsigned)lane_mask;
    if (mask != 0xffffffffu || lane_mask < 0 || lane_mask > 31 || partner >= b.lanes.size())
        emu::fail("a shuffle outside a full warp (or with a partial mask)");
    std::memcpy(&b.lanes[me], &value, sizeof(T));
    emu::wait(b.warp_barriers[me / 32]);
    if (partner < b.lanes.size()) std::memcpy(&value, &b.lanes[partner], sizeof(T));
    emu::wait(b.warp_barriers[me / 32]);
    return value;
}

inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, sizeof f);
    return f;
}
inline unsigned __umulhi(unsigned a, unsigned b) {
    return (unsigned)((unsigned long long)a * b >> 32);
}
inline float max(float a, float b) { return fmaxf(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
