"""gan_course.convexity: mixtures by construction, convexity of C(p_t) checked on its closed form ends."""
import math

import numpy as np
import pytest

import gan_course as gc
from gan_course import convexity


def test_mixture_density():
    p0, p1 = gc.toys.gaussian1d(0, 1), gc.toys.GaussianMixture1D((2.0, 4.0), (0.5, 0.5))
    x = np.linspace(-3, 6, 50)
    assert np.allclose(convexity.mixture(p0, p1, 0.3).pdf(x), 0.7 * p0.pdf(x) + 0.3 * p1.pdf(x))
    with pytest.raises(ValueError):
        convexity.mixture(p0, p1, 1.5)


def test_second_differences_of_a_parabola():
    t = np.linspace(0, 1, 11)
    assert np.allclose(convexity.second_differences(t**2), 2 * 0.1**2)


def test_paths():
    p = gc.toys.GaussianMixture1D((-2.0, 2.0), (0.5, 0.5))
    c = convexity.mixture_path(p, gc.toys.gaussian1d(-2, 0.5), gc.toys.gaussian1d(2, 0.5), np.linspace(0, 1, 11))
    assert c[5] == pytest.approx(-math.log(4), abs=1e-6)  # t = 1/2 gives p_data exactly
    assert convexity.second_differences(c).min() > -1e-9
    loc = convexity.location_path(p, np.array([-2.0, 0.0, 2.0]))
    assert loc[1] > loc[0] and loc[1] > loc[2]
