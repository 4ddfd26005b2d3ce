"""Instance-noise schedules: sigma(step, steps) for ``TrainConfig.noise_sigma`` (chapter 3).

Instance noise adds N(0, sigma^2 I) to both the real and the generated inputs of D, so D compares
the smoothed densities p_data * N_sigma and p_g * N_sigma, which overlap even when p_data and
p_g live on disjoint manifolds (Arjovsky & Bottou 2017, Sec. 3; Sønderby et al. 2017).
Convolution with a Gaussian is injective, so the smoothed problem
has the same solution p_g = p_data; noise is a way to keep the gradient alive while G is far
from the data, and it must go to zero for G to learn the sharp target.

* ``Constant(sigma)``: the same sigma throughout.
* ``LinearToZero(sigma0, end=1.0)``: sigma0 * max(0, 1 - step / (end * steps)); the linear
  annealing of Sønderby et al. (2017).
* ``AdaptiveToTarget(sigma0, target, gain)``: a feedback rule. After every D update,
  sigma <- clip(sigma * exp(gain * (target - d_loss)), sigma_min, sigma_max): when D wins
  (its cross-entropy below ``target``) the noise grows, so the smoothed densities overlap
  and G's gradient returns; when D is confused (loss above target, as it is once p_g = p_data,
  where the loss is 2 log 2) the noise decays geometrically towards ``sigma_min``.
  Sønderby et al. (2017) anneal linearly; this feedback rule (hold D's loss near a target) is
  the course's own choice, motivated in chapter 3, not a rule taken from a paper.
"""
import math
from dataclasses import dataclass

from . import checks


def _check_step(step, steps):
    steps = checks.positive_int("steps", steps)
    if not 0 <= step <= steps:
        raise ValueError(f"step must be in 0..{steps}, got {step}")
    return steps


@dataclass
class Constant:
    sigma: float

    def __post_init__(self):
        if not (isinstance(self.sigma, (int, float)) and math.isfinite(self.sigma) and self.sigma >= 0):
            raise ValueError(f"sigma must be a number >= 0, got {self.sigma!r}")

    def __call__(self, step, steps):
        _check_step(step, steps)
        return float(self.sigma)


@dataclass
class LinearToZero:
    sigma0: float
    end: float = 1.0  # fraction of training after which sigma stays 0

    def __post_init__(self):
        checks.positive("sigma0", self.sigma0)
        checks.positive("end", self.end)
        if self.end > 1:
            raise ValueError(f"end is a fraction of training in (0, 1], got {self.end}")

    def __call__(self, step, steps):
        steps = _check_step(step, steps)
        return float(self.sigma0 * max(0.0, 1.0 - step / (self.end * steps)))


@dataclass
class AdaptiveToTarget:
    sigma0: float
    target: float = 1.0  # D's cross-entropy to hold (2 log 2 = 1.386 at chance)
    gain: float = 0.01
    sigma_min: float = 0.0
    sigma_max: float = 2.0

    def __post_init__(self):
        checks.positive("sigma0", self.sigma0)
        checks.positive("target", self.target)
        checks.positive("gain", self.gain)
        checks.positive("sigma_max", self.sigma_max)
        if not 0 <= self.sigma_min <= self.sigma0 <= self.sigma_max:
            raise ValueError(f"need 0 <= sigma_min <= sigma0 <= sigma_max, got {self.sigma_min}, "
                             f"{self.sigma0}, {self.sigma_max}")
        self.sigma = float(self.sigma0)
        self.history = []

    def observe(self, d_loss):
        """Update sigma from one D loss (called by the trainer after every D update)."""
        d_loss = float(d_loss)
        if not math.isfinite(d_loss):
            raise ValueError(f"d_loss must be finite, got {d_loss}")
        self.sigma = min(self.sigma_max, max(self.sigma_min, self.sigma * math.exp(self.gain * (self.target - d_loss))))
        self.history.append(self.sigma)
        return self.sigma

    def __call__(self, step, steps):
        _check_step(step, steps)
        return self.sigma

    def reset(self):
        self.sigma, self.history = float(self.sigma0), []
        return self
