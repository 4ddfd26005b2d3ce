"""gan_course.custom_loop: a model's run does not depend on its batch-mates; clear errors."""
from functools import partial

import numpy as np
import pytest
import torch

import gan_course as gc
from gan_course import custom_loop, ebgan


def _run(seeds, steps=5):
    return custom_loop.train(seeds, gc.toys.ring8(), steps, partial(ebgan.autoencoder, 2, 8, 2, 1),
                             partial(ebgan.d_loss, margin=1.0), ebgan.g_loss, width=8, depth=1, batch_size=16,
                             n_snapshot=32, device="cpu", progress=False)


def test_batched_equals_alone_in_float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        both, alone = _run([3, 7]), _run([7])
    finally:
        torch.set_default_dtype(old)
    assert np.allclose(both.samples[1], alone.samples[0], atol=1e-12)
    assert np.allclose(both.d_loss[1], alone.d_loss[0], atol=1e-12)
    assert not np.allclose(both.samples[0], both.samples[1])


def test_fit_discriminator_and_on_points():
    ring = gc.toys.ring8()
    D, hist = custom_loop.fit_discriminator([0, 1], ring, [ring, ring], 3, partial(ebgan.autoencoder, 2, 8, 2, 1),
                                            partial(ebgan.d_loss, margin=torch.tensor([0.5, 2.0])), batch_size=8,
                                            device="cpu")
    assert hist.shape == (2, 3) and np.isfinite(hist).all()
    assert custom_loop.on_points(ebgan.energy, D, np.zeros((5, 2))).shape == (2, 5)


def test_errors():
    with pytest.raises(ValueError, match="at least one seed"):
        _run([])
    with pytest.raises(TypeError, match="toy"):
        custom_loop.train([0], None, 2, None, None, None)
    with pytest.raises(ValueError, match="one fake distribution per seed"):
        custom_loop.fit_discriminator([0, 1], gc.toys.ring8(), [gc.toys.ring8()], 2, None, None)
