import numpy as np
import pytest
import torch

from gan_course import digits


def test_images_are_scaled_and_upsampled():
    raw, labels = digits.raw_digits()
    assert raw.shape == (1797, 8, 8) and raw.max() == 16 and raw.min() == 0
    x, y = digits.load()
    assert x.shape == (1797, 1, 16, 16) and y.shape == (1797,)
    assert x.min() >= -1 and x.max() <= 1
    x8 = digits.to_images(raw, size=8)
    assert torch.allclose(x8[:, 0], torch.as_tensor(raw / 8.0 - 1, dtype=torch.float32))
    # bilinear 2x upsampling keeps the mean of each image up to the edge rows/columns
    assert torch.allclose(x.mean((2, 3)), x8.mean((2, 3)), atol=0.1)


def test_split_is_stratified_disjoint_and_seeded():
    xa, ya = digits.load("train")
    xb, yb = digits.load("test")
    assert len(xa) + len(xb) == 1797
    counts_all = np.bincount(digits.raw_digits()[1])
    assert np.all(np.abs(np.bincount(yb.numpy()) - 0.2 * counts_all) <= 1)
    xa2, _ = digits.load("train")
    assert torch.equal(xa, xa2)
    flat_a = {tuple(r) for r in xa.flatten(1).numpy().round(4)}
    assert not any(tuple(r) in flat_a for r in xb.flatten(1).numpy().round(4)[:50])


def test_stack_puts_one_digit_per_channel():
    x, y = digits.load("test")
    g = torch.Generator().manual_seed(0)
    s, modes = digits.stack(x, y, 500, g)
    assert s.shape == (500, 3, 16, 16)
    # recover each channel's source image and check the mode id from its label
    flat = x.flatten(1)
    for k in range(20):
        d = []
        for c in range(3):
            i = int((flat - s[k, c].flatten()).abs().sum(1).argmin())
            d.append(int(y[i]))
        assert modes[k] == 100 * d[0] + 10 * d[1] + d[2]
    assert len(torch.unique(modes)) > 300  # 500 draws from 1,000 modes


def test_batches_cover_an_epoch():
    x = torch.arange(10.0)[:, None, None, None].expand(10, 1, 2, 2)
    it = digits.batches(x, 5, torch.Generator().manual_seed(0))
    seen = torch.cat([next(it), next(it)])[:, 0, 0, 0]
    assert sorted(seen.tolist()) == list(range(10))


def test_clear_errors():
    with pytest.raises(ValueError):
        digits.load("validation")
    with pytest.raises(ValueError):
        digits.to_images(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError):
        digits.stack(torch.zeros(5, 3, 16, 16), torch.zeros(5), 4)
    with pytest.raises(ValueError):
        digits.stack(torch.zeros(5, 1, 16, 16), torch.zeros(5), 0)
