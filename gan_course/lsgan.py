"""Least-squares GAN as a lesson: the a-b-c coding, its optimal D, and its generator gradient
(Mao et al. 2017, "Least Squares Generative Adversarial Networks").

D outputs a raw score s = D(x) (no sigmoid). With a = the target for fakes, b = the target for
reals and c = the value G wants D to believe for its fakes (Eq. 2):

    min_D  1/2 E_{p_data} (D(x) - b)^2 + 1/2 E_{p_g} (D(x) - a)^2
    min_G  1/2 E_{p_g} (D(x) - c)^2.

* For fixed G the pointwise minimiser is D*(x) = (b p_data + a p_g) / (p_data + p_g) (Eq. 4).
* Adding the G-independent term 1/2 E_{p_data} (D(x) - c)^2 to G's objective and plugging in D*
  gives (Eq. 5-8)

      2 C(G) = int ((b - c)(p_data + p_g) - (b - a) p_g)^2 / (p_data + p_g) dx,

  which for b - c = 1 and b - a = 2 (for example a = -1, b = 1, c = 0) is the Pearson chi^2
  divergence chi^2_P(p_data + p_g || 2 p_g) = int (2 p_g - (p_data + p_g))^2 / (p_data + p_g) dx.
* The generator's gradient with respect to D's output s at a fake point is s - c: it does not
  vanish when D rejects the fakes (s near a), and it keeps pulling fakes that already sit on the
  real side of the decision boundary (a + b)/2 towards c, where the sigmoid losses have gone
  flat (Sec. 3.2.1 and Figure 1 of the paper). ``generator_gradient`` gives the three
  magnitudes on one axis of raw output (logit for the sigmoid losses, score for LS).

The course's ``losses.d_loss_least_squares`` / ``g_loss_least_squares`` are the a = 0, b = c = 1
coding used by the lab.
"""
import numpy as np
from scipy.special import expit

from .densities import pdf as _pdf
from .densities import quadrature_grid as _grid
from .divergences import GRID_POINTS, integrate

#: the two codings of the paper: Eq. 8 (the chi^2 link) and Eq. 9 (the 0-1 coding the lab trains)
CODING_CHI2 = (-1.0, 1.0, 0.0)  # (a, b, c): b - c = 1, b - a = 2
CODING_01 = (0.0, 1.0, 1.0)


def _abc(a, b, c):
    a, b, c = float(a), float(b), float(c)
    if a == b:
        raise ValueError(f"the fake target a and the real target b must differ, got a = b = {a}")
    return a, b, c


def d_loss_abc(real_scores, fake_scores, a=0.0, b=1.0, c=1.0):
    """1/2 E (D(x) - b)^2 + 1/2 E (D(G(z)) - a)^2 over the last dimension (Mao et al. 2017, Eq. 2)."""
    a, b, _ = _abc(a, b, c)
    return 0.5 * (real_scores - b).pow(2).mean(-1) + 0.5 * (fake_scores - a).pow(2).mean(-1)


def g_loss_abc(fake_scores, c=1.0):
    """1/2 E (D(G(z)) - c)^2 over the last dimension (Mao et al. 2017, Eq. 2)."""
    return 0.5 * (fake_scores - float(c)).pow(2).mean(-1)


def optimal_discriminator(p_data, p_g, x, a=0.0, b=1.0):
    """D*(x) = (b p_data + a p_g) / (p_data + p_g) at the points ``x`` (Mao et al. 2017, Eq. 4)."""
    a, b, _ = _abc(a, b, 0.0)
    pd, pg = _pdf(p_data, np.asarray(x, float)), _pdf(p_g, np.asarray(x, float))
    s = pd + pg
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, (b * pd + a * pg) / np.where(s > 0, s, 1.0), 0.5 * (a + b))


def generator_criterion(p_data, p_g, a=-1.0, b=1.0, c=0.0, lo=None, hi=None, n=GRID_POINTS):
    """C(G) = 1/2 E_{p_data} (D* - c)^2 + 1/2 E_{p_g} (D* - c)^2 with D* plugged in, by quadrature
    (Mao et al. 2017, Eq. 5 with the G-independent data term added as in Eq. 6)."""
    a, b, c = _abc(a, b, c)
    x = _grid(p_data, p_g, lo, hi, n)
    d = optimal_discriminator(p_data, p_g, x, a, b)
    pd, pg = _pdf(p_data, x), _pdf(p_g, x)
    return 0.5 * integrate((pd + pg) * (d - c) ** 2, x)


def pearson_chi2(p, q, lo=None, hi=None, n=GRID_POINTS):
    """chi^2_P(p || q) = int (q - p)^2 / p dx for two 1-D densities (or functions), by quadrature."""
    x = _grid(p, q, lo, hi, n)
    px, qx = _pdf(p, x), _pdf(q, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        integrand = np.where(px > 0, (qx - px) ** 2 / np.where(px > 0, px, 1.0), np.where(qx > 0, np.inf, 0.0))
    return integrate(integrand, x)


def chi2_of_criterion(p_data, p_g, lo=None, hi=None, n=GRID_POINTS):
    """chi^2_P(p_data + p_g || 2 p_g): the divergence that 2 C(G) equals when b - c = 1, b - a = 2 (Eq. 8)."""
    x = _grid(p_data, p_g, lo, hi, n)
    return pearson_chi2(lambda t: _pdf(p_data, t) + _pdf(p_g, t), lambda t: 2 * _pdf(p_g, t), x[0], x[-1], n)


def generator_gradient(output, loss, c=1.0):
    """|d loss_G / d s| for one fake sample whose D output is ``output`` (NumPy).

    ``output`` is the logit a (D = sigmoid(a)) for ``minimax`` (|-D| = sigmoid(a)) and
    ``nonsaturating`` (|-(1 - D)| = sigmoid(-a)); for ``least_squares`` it is the raw score s and
    the magnitude is |s - c| (from 1/2 (s - c)^2)."""
    s = np.asarray(output, float)
    if loss == "minimax":
        return expit(s)
    if loss == "nonsaturating":
        return expit(-s)
    if loss == "least_squares":
        return np.abs(s - float(c))
    raise ValueError(f"loss must be 'minimax', 'nonsaturating' or 'least_squares', got {loss!r}")
