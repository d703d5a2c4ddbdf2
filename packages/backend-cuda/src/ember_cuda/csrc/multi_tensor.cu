// Multi-tensor optimizer updates: one launch updates every parameter of a group.
// The host passes device arrays of tensor addresses and a list of chunks (tensor index,
// first element); each block updates one chunk of one tensor. Arithmetic follows the
// order of PyTorch's single-tensor updates (torch/optim/sgd.py, adam.py).

template <typename T>
__device__ void sgd_chunk(T *p, const T *g, T *buf, long long start, long long end,
                          double lr, double weight_decay, double momentum, double dampening,
                          bool nesterov, bool maximize, bool first_step) {
    for (long long i = start + threadIdx.x; i < end; i += blockDim.x) {
        T grad = maximize ? -g[i] : g[i];
        if (weight_decay != 0) grad = grad + (T)weight_decay * p[i];
        if (momentum != 0) {
            T b = first_step ? grad : buf[i] * (T)momentum + grad * (T)(1 - dampening);
            buf[i] = b;
            grad = nesterov ? grad + b * (T)momentum : b;
        }
        p[i] = p[i] + grad * (T)(-lr);
    }
}

template <typename T>
__device__ void adam_chunk(T *p, const T *g, T *m, T *v, T *vmax, long long start,
                           long long end, double lr, double beta1, double beta2, double eps,
                           double weight_decay, bool decoupled, bool amsgrad, bool maximize,
                           double step_size, double bias_correction2_sqrt) {
    for (long long i = start + threadIdx.x; i < end; i += blockDim.x) {
        T grad = maximize ? -g[i] : g[i];
        T param = p[i];
        if (weight_decay != 0) {
            if (decoupled) param = param * (T)(1 - lr * weight_decay);
            else grad = grad + param * (T)weight_decay;
        }
        T mi = m[i] + (grad - m[i]) * (T)(1 - beta1);        // exp_avg.lerp_(grad, 1 - beta1)
        T vi = v[i] * (T)beta2 + grad * grad * (T)(1 - beta2);  // mul_(beta2).addcmul_
        m[i] = mi;
        v[i] = vi;
        T second = vi;
        if (amsgrad) {
            second = vmax[i] > vi ? vmax[i] : vi;
            vmax[i] = second;
        }
        T denom = sqrt(second) / (T)bias_correction2_sqrt + (T)eps;
        p[i] = param + (T)(-step_size) * mi / denom;
    }
}

#define CHUNK_ARGS const long long *tensor_of_chunk, const long long *start_of_chunk, \
                   const long long *sizes, long long chunk_size

#define DEFINE_SGD(NAME, T)                                                                   \
    extern "C" __global__ void NAME(const unsigned long long *params,                          \
                                    const unsigned long long *grads,                           \
                                    const unsigned long long *bufs, CHUNK_ARGS, double lr,     \
                                    double weight_decay, double momentum, double dampening,    \
                                    int nesterov, int maximize, int first_step) {              \
        long long t = tensor_of_chunk[blockIdx.x], start = start_of_chunk[blockIdx.x];         \
        long long end = min(start + chunk_size, sizes[t]);                                     \
        sgd_chunk<T>((T *)params[t], (const T *)grads[t], (T *)bufs[t], start, end, lr,         \
                     weight_decay, momentum, dampening, nesterov, maximize, first_step);       \
    }

#define DEFINE_ADAM(NAME, T)                                                                  \
    extern "C" __global__ void NAME(const unsigned long long *params,                          \
                                    const unsigned long long *grads,                           \
                                    const unsigned long long *exp_avgs,                        \
                                    const unsigned long long *exp_avg_sqs,                     \
                                    const unsigned long long *max_exp_avg_sqs, CHUNK_ARGS,     \
                                    double lr, double beta1, double beta2, double eps,         \
                                    double weight_decay, int decoupled, int amsgrad,           \
                                    int maximize, double step_size,                            \
                                    double bias_correction2_sqrt) {                            \
        long long t = tensor_of_chunk[blockIdx.x], start = start_of_chunk[blockIdx.x];         \
        long long end = min(start + chunk_size, sizes[t]);                                     \
        adam_chunk<T>((T *)params[t], (const T *)grads[t], (T *)exp_avgs[t],                   \
                      (T *)exp_avg_sqs[t], amsgrad ? (T *)max_exp_avg_sqs[t] : (T *)0, start,  \
                      end, lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad, maximize,  \
                      step_size, bias_correction2_sqrt);                                       \
    }

DEFINE_SGD(sgd_step_f32, float)
DEFINE_SGD(sgd_step_f64, double)
DEFINE_ADAM(adam_step_f32, float)
DEFINE_ADAM(adam_step_f64, double)
