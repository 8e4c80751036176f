"""How sure a learned check may be: its model's probability, recalibrated on answers the
model never saw.

A check model is trained on answers whose rare verdict is repeated to balance the two
classes, and on words it has learned by heart, so its own probability is far surer than it
has a right to be: on batches written after training, blame was missed at 0.96-0.996 "sure
not blaming" (b47). Training therefore also judges every answer with models that did not
see it (folds of whole batches) and fits ``sigmoid(slope * logit(p) + bias)`` to those
verdicts against the labels (Platt scaling). The verdict itself still comes from the model's
probability against the check's threshold; the calibrated probability says how likely it is
that the answer holds the check, and so how sure the coach may be of the verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def fit_logistic(x: np.ndarray, labels: list[bool], start: np.ndarray, l2: float = 0.01,
                 iterations: int = 100) -> np.ndarray:
    """Logistic weights over the columns of ``x`` (its last column the constant 1, left
    out of the L2 penalty, which is per answer) that best predict ``labels``: Newton's
    method with step halving on the log-likelihood, from ``start``."""
    y = np.array(labels, dtype=float)
    n = x.shape[1]
    ridge = np.diag([l2] * (n - 1) + [0.0]) * len(y)

    def loss(w: np.ndarray) -> float:
        z = x @ w
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * w @ ridge @ w)

    w = start.astype(float)
    current = loss(w)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + ridge @ w
        hess = (x * (p * (1 - p))[:, None]).T @ x + ridge + np.eye(n) * 1e-6
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while scale > 1e-4 and loss(w - scale * step) > current:
            scale /= 2
        if scale <= 1e-4:
            break
        w = w - scale * step
        previous, current = current, loss(w)
        if previous - current < 1e-9:
            break
    return w


@dataclass(frozen=True)
class Calibration:
    """``sigmoid(slope * logit(p) + bias)``: the model's probability ``p`` as the share of
    such answers that held the check, on answers it was not trained on."""

    slope: float = 1.0
    bias: float = 0.0

    def __call__(self, p: float) -> float:
        return sigmoid(self.slope * logit(p) + self.bias)

    def to_list(self) -> list[float]:
        return [round(self.slope, 4), round(self.bias, 4)]

    @classmethod
    def from_list(cls, values: object) -> Calibration | None:
        if (not isinstance(values, list) or len(values) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool)
                           and math.isfinite(v) for v in values)
                or values[0] < MIN_SLOPE):
            return None
        return cls(float(values[0]), float(values[1]))


MIN_SLOPE = 0.05
"""A fitted slope under this says the model's probability tells nothing (or ranks answers
backwards): no calibration then, rather than one that turns a sure "holds" into a sure
"does not"."""
MIN_ANSWERS = 30
"""Fewer out-of-fold verdicts than this (or only one kind of label) fit no calibration."""


def fit_calibration(probabilities: list[float], labels: list[bool]) -> Calibration | None:
    """The calibration that best turns ``probabilities`` (from models that did not see
    those answers) into the share holding the check; None with too few answers to say."""
    if len(labels) < MIN_ANSWERS or all(labels) or not any(labels):
        return None
    x = np.array([[logit(p), 1.0] for p in probabilities])
    w = fit_logistic(x, labels, np.array([1.0, 0.0]))
    return Calibration(float(w[0]), float(w[1])) if w[0] >= MIN_SLOPE else None
