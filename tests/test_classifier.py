import numpy as np
import pytest
import scipy.linalg
import scipy.stats
import torch

from gan_course import classifier, digits


@pytest.fixture(scope="module")
def trained():
    return classifier.train_classifier()


def _random_cov(d, rng):
    A = rng.normal(size=(d, d))
    return A @ A.T / d + 0.1 * np.eye(d)


def test_frechet_distance_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    d = 6
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    c1, c2 = _random_cov(d, rng), _random_cov(d, rng)
    direct = ((mu1 - mu2) ** 2).sum() + np.trace(c1 + c2 - 2 * np.real(scipy.linalg.sqrtm(c1 @ c2)))
    assert abs(classifier.frechet_distance_gaussians(mu1, c1, mu2, c2) - direct) < 1e-8


def test_frechet_distance_closed_forms():
    # 1-D: (m1 - m2)^2 + (s1 - s2)^2 ; commuting (diagonal) covariances: sum (sqrt a - sqrt b)^2
    assert abs(classifier.frechet_distance_gaussians(1.0, 4.0, -1.0, 1.0) - (4 + 1)) < 1e-12
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    fd = classifier.frechet_distance_gaussians(np.zeros(3), np.diag(a), np.zeros(3), np.diag(b))
    assert abs(fd - ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()) < 1e-12


def test_frechet_distance_of_samples_approaches_the_gaussian_value():
    rng = np.random.default_rng(1)
    c1, c2 = np.diag([1.0, 2.0]), np.diag([3.0, 0.5])
    x = rng.multivariate_normal([0, 0], c1, size=200_000)
    y = rng.multivariate_normal([1, 0], c2, size=200_000)
    exact = classifier.frechet_distance_gaussians(np.zeros(2), c1, np.array([1.0, 0]), c2)
    assert abs(classifier.frechet_distance(x, y) - exact) < 0.02
    assert abs(classifier.frechet_distance(x, x)) < 1e-8


def test_kl_to_uniform_matches_scipy():
    p = np.array([0.5, 0.25, 0.25, 0.0])
    assert abs(classifier.kl_to_uniform(p) - scipy.stats.entropy(p, np.full(4, 0.25))) < 1e-12
    assert classifier.kl_to_uniform(np.full(10, 0.1)) == pytest.approx(0, abs=1e-12)
    assert classifier.histogram([0, 0, 3], 4).tolist() == [2 / 3, 0, 0, 1 / 3]


def test_classifier_reaches_95_percent_held_out(trained):
    model, acc = trained
    assert acc >= 0.95
    xt, yt = digits.load("test")
    assert classifier.accuracy(model, xt, yt) == acc
    assert classifier.features(model, xt[:5]).shape == (5, classifier.N_FEATURES)


def test_metrics_of_real_and_of_collapsed_data(trained):
    model, _ = trained
    x, y = digits.load("test")
    real = classifier.image_metrics(model, x, classifier.features(model, digits.load("train")[0]))
    assert real["classes_covered"] == 10 and real["class_kl"] < 0.01
    ones = x[y == 1]
    collapsed = classifier.image_metrics(model, ones.repeat(5, 1, 1, 1))
    assert collapsed["classes_covered"] <= 2 and collapsed["class_kl"] > 1.5  # log 10 = 2.30 for one class
    s, modes = digits.stack(x, y, 5000, torch.Generator().manual_seed(0))
    st = classifier.stacked_modes(model, s)
    assert abs(st["modes_covered"] - len(torch.unique(modes))) <= 20


def test_clear_errors(trained):
    model, _ = trained
    with pytest.raises(ValueError):
        model.features(torch.zeros(2, 3, 16, 16))
    with pytest.raises(ValueError):
        classifier.stacked_modes(model, torch.zeros(2, 1, 16, 16))
    with pytest.raises(ValueError):
        classifier.frechet_distance(np.zeros(3), np.zeros(3))
