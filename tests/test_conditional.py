import numpy as np
import pytest
import torch

from gan_course import conditional as cg


def test_shapes_and_label_checks():
    torch.manual_seed(0)
    G, D = cg.ConditionalGenerator(width=8), cg.ConditionalDiscriminator(width=8)
    z = torch.randn(4, G.latent_dim)
    x = G(z, torch.tensor([0, 3, 9, 1]))
    assert x.shape == (4, 1, 16, 16) and x.abs().max() <= 1
    assert D(x, torch.tensor([0, 3, 9, 1])).shape == (4,)
    with pytest.raises(ValueError, match="0..9"):
        G(z, torch.tensor([0, 3, 10, 1]))
    with pytest.raises(ValueError, match="shape"):
        G(z, torch.tensor([0, 3]))


def test_the_label_changes_both_players():
    torch.manual_seed(0)
    G, D = cg.ConditionalGenerator(width=8).eval(), cg.ConditionalDiscriminator(width=8).eval()
    z = torch.randn(2, G.latent_dim)
    assert not torch.allclose(G(z, torch.tensor([1, 1])), G(z, torch.tensor([2, 2])))
    x = torch.zeros(2, 1, 16, 16)
    assert not torch.allclose(D(x, torch.tensor([1, 1])), D(x, torch.tensor([2, 2])))


def test_confusion_rows():
    C = cg.confusion([0, 0, 1, 1, 1], [0, 1, 1, 1, 2], n_classes=3)
    assert np.allclose(C, [[0.5, 0.5, 0], [0, 2 / 3, 1 / 3], [0, 0, 0]])


def test_class_accuracy_counts_matches():
    class Fixed(torch.nn.Module):  # reads every image as class 3
        def __init__(self):
            super().__init__()
            self.p = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return torch.nn.functional.one_hot(torch.full((len(x),), 3), 10).float() + 0 * self.p

    acc, pred = cg.class_accuracy(Fixed(), torch.zeros(5, 1, 16, 16), torch.tensor([3, 3, 1, 2, 3]))
    assert acc == pytest.approx(0.6) and pred.tolist() == [3] * 5


def test_a_few_training_steps_run():
    G, D, h = cg.train(steps=2, batch_size=8, device="cpu", progress=False)
    assert np.isfinite(h["d_loss"]).all() and np.isfinite(h["g_loss"]).all()
    x, y = cg.generate(G, [2, 7], 3)
    assert x.shape == (6, 1, 16, 16) and y.tolist() == [2, 2, 2, 7, 7, 7]
