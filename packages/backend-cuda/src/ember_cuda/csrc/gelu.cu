// GELU over contiguous arrays, forward and backward, recomputing Phi(x) (or the tanh of the
// approximation) in the backward rather than storing it: x * Phi(x), or with TANH
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))). T is float or double.

#define GELU_SQRT1_2 0.70710678118654752440
#define GELU_INV_SQRT_2PI 0.39894228040143267794
#define GELU_BETA 0.79788456080286535588
#define GELU_KAPPA 0.044715

template <typename T>
__device__ __forceinline__ T gelu_aux(T x, bool tanh_form) {
    if (tanh_form) return tanh((T)GELU_BETA * (x + (T)GELU_KAPPA * x * x * x));
    return (T)0.5 * ((T)1 + erf(x * (T)GELU_SQRT1_2));
}

template <typename T>
__device__ void gelu_forward(const T *x, T *y, long long n, bool tanh_form) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x) {
        const T v = x[i], aux = gelu_aux(v, tanh_form);
        y[i] = tanh_form ? (T)0.5 * v * ((T)1 + aux) : v * aux;
    }
}

template <typename T>
__device__ void gelu_backward(const T *g, const T *x, T *gx, long long n, bool tanh_form) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)blockDim.x * gridDim.x) {
        const T v = x[i], aux = gelu_aux(v, tanh_form);
        T slope;
        if (tanh_form) {
            const T inner_slope = (T)GELU_BETA * ((T)1 + (T)(3 * GELU_KAPPA) * v * v);
            slope = (T)0.5 * ((T)1 + aux) + (T)0.5 * v * ((T)1 - aux * aux) * inner_slope;
        } else {
            slope = aux + v * exp((T)-0.5 * v * v) * (T)GELU_INV_SQRT_2PI;
        }
        gx[i] = g[i] * slope;
    }
}

#define GELU_KERNELS(T, SUFFIX)                                                               \
    extern "C" __global__ void gelu_##SUFFIX(const T *x, T *y, long long n, int tanh_form) {  \
        gelu_forward<T>(x, y, n, tanh_form != 0);                                             \
    }                                                                                         \
    extern "C" __global__ void gelu_backward_##SUFFIX(const T *g, const T *x, T *gx,          \
                                                      long long n, int tanh_form) {           \
        gelu_backward<T>(g, x, gx, n, tanh_form != 0);                                        \
    }

GELU_KERNELS(float, f32)
GELU_KERNELS(double, f64)
