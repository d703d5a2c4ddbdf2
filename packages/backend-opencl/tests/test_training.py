"""Training on opencl matches training on cpu: the MLP of examples/mlp_mnist.py (and a small
CNN) for a few steps from the same initial weights, losses equal within float32 tolerance."""

import copy

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember_opencl

pytestmark = pytest.mark.skipif(not ember_opencl.is_available(), reason="no OpenCL device")


def _batches(shape, steps, batch=128, classes=10):
    """The example's data when embervision is installed, else fixed random digits."""
    try:
        from embervision.datasets import MNIST5K

        digits = MNIST5K(train=True)
        images = (digits.data.float().reshape(-1, 784) / 255 - 0.1307) / 0.3081
        x = images.numpy()[:batch * steps].reshape((steps, batch) + shape)
        y = digits.targets.numpy()[:batch * steps].reshape(steps, batch)
    except ImportError:  # learnable digits: the label is a fixed function of the pixels
        rng = np.random.default_rng(0)
        x = rng.standard_normal((steps, batch) + shape).astype(np.float32)
        w = rng.standard_normal((int(np.prod(shape)), classes)).astype(np.float32)
        y = (x.reshape(steps, batch, -1) @ w).argmax(-1)
    return [(ember.from_numpy(np.ascontiguousarray(a)), ember.from_numpy(b.astype(np.int64)))
            for a, b in zip(x, y)]


def _train(model, optimizer_cls, batches, device, **opt):
    model = model.to(device)
    optimizer = optimizer_cls(model.parameters(), **opt)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for x, y in batches:
        loss = loss_fn(model(x.to(device)), y.to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def _compare(model, optimizer_cls, batches, rtol, **opt):
    cpu_losses, cpu_state = _train(copy.deepcopy(model), optimizer_cls, batches, "cpu", **opt)
    cl_losses, cl_state = _train(copy.deepcopy(model), optimizer_cls, batches, "opencl", **opt)
    np.testing.assert_allclose(cl_losses, cpu_losses, rtol=rtol, atol=1e-5)
    assert cpu_losses[-1] < cpu_losses[0]  # it learned something
    for k in cpu_state:
        np.testing.assert_allclose(cl_state[k], cpu_state[k], rtol=rtol, atol=1e-4)


def test_mlp_example_trains_the_same_on_opencl_and_cpu():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    _compare(model, ember.optim.SGD, _batches((784,), steps=5), rtol=1e-4, lr=0.05,
             momentum=0.9)


def test_cnn_trains_the_same_on_opencl_and_cpu():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    _compare(model, ember.optim.Adam, _batches((1, 28, 28), steps=4, batch=32), rtol=2e-4,
             lr=1e-3)
