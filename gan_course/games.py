"""Gradient play on a two-player zero-sum game: why GAN training need not converge.

Goodfellow (2016), NIPS 2016 tutorial, exercise 7.2 and its solution (Sec. 8.2).

Player x minimises V(x, y), player y maximises it. Simultaneous gradient descent-ascent with step lr,

    x <- x - lr dV/dx,   y <- y + lr dV/dy,

on the bilinear game V(x, y) = x y (equilibrium at (0, 0)) is the linear map [[1, -lr], [lr, 1]], whose
eigenvalues 1 +- i lr have modulus sqrt(1 + lr^2): every step rotates the point and multiplies its
distance to the equilibrium by exactly sqrt(1 + lr^2), so the iterates spiral outward. In the continuous
limit (gradient flow) they circle at a constant radius. Alternating updates (y moves after seeing the
new x) give [[1, -lr], [lr, 1 - lr^2]] of determinant 1: a bounded orbit that conserves
x^2 + y^2 - lr x y, an ellipse; it circles but never reaches (0, 0).
"""
import math

import numpy as np
import torch

from . import checks


def bilinear(x, y):
    """V(x, y) = x y."""
    return x * y


def gradient_play(x0, y0, lr=0.1, steps=100, value=bilinear, alternating=False):
    """Iterates of gradient descent (x) / ascent (y) on ``value(x, y)``; returns an array of shape (steps + 1, 2).

    Gradients come from torch autograd, so any differentiable ``value`` works. ``alternating=False``
    updates both players from the same point (simultaneous); ``True`` lets y respond to the new x."""
    checks.positive("lr", lr)
    steps = checks.positive_int("steps", steps)
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    y = torch.tensor(float(y0), dtype=torch.float64, requires_grad=True)
    path = np.empty((steps + 1, 2))
    path[0] = x0, y0
    for t in range(1, steps + 1):
        gx, gy = torch.autograd.grad(value(x, y), (x, y))
        with torch.no_grad():
            x -= lr * gx
        if alternating:  # y answers the x it now faces
            (gy,) = torch.autograd.grad(value(x, y), (y,))
        with torch.no_grad():
            y += lr * gy
        path[t] = x.item(), y.item()
    return path


def radius(path):
    """Distance of each iterate to the equilibrium (0, 0)."""
    path = np.asarray(path, float)
    return np.hypot(path[:, 0], path[:, 1])


def simultaneous_radius(r0, lr, steps):
    """Closed form for simultaneous play on x y: r_t = r0 (1 + lr^2)^(t/2), t = 0..steps."""
    checks.positive("lr", lr)
    return r0 * (1 + lr**2) ** (np.arange(steps + 1) / 2)


def alternating_invariant(path, lr):
    """x^2 + y^2 - lr x y at every iterate: constant along alternating play on x y."""
    path = np.asarray(path, float)
    x, y = path[:, 0], path[:, 1]
    return x**2 + y**2 - lr * x * y


def winding(path):
    """Total angle swept around (0, 0) in turns (2 pi rad each): how often the players circled the equilibrium."""
    path = np.asarray(path, float)
    angle = np.unwrap(np.arctan2(path[:, 1], path[:, 0]))
    return float((angle[-1] - angle[0]) / (2 * math.pi))
