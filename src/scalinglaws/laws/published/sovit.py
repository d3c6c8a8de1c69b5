"""Shape-aware scaling (SoViT): the loss in one shape dimension and compute.

Alabdulmohsin et al., "Getting ViT in Shape: Scaling Laws for Compute-Optimal Model Design",
NeurIPS 2023, arXiv:2305.13035, Sec. 3, eq. (2): for one shape dimension x_k (width, depth or
MLP size) with the others held large enough not to be the bottleneck, and compute t,

    f_k(x_k, t) = alpha_k x_k^(-a_k) + (beta_k x_k^(b_k) + xi_k) t^(-c) + eps_k,

all constants positive. f is a loss or error rate (ImageNet 10-shot error in the paper).
With unlimited compute f falls as a power law in x_k to eps_k; at a fixed budget a larger
x_k costs more per example, hence the term that grows as x_k^(b_k) t^(-c), and f has an
interior minimum in x_k. Setting df/dx_k = 0 gives the compute-optimal size

    x_k* = (a_k alpha_k t^c / (b_k beta_k))^(1/(a_k + b_k))  ~  t^(s_k),  s_k = c/(a_k + b_k),

(:func:`optimal_size`, :func:`shape_exponent`), which the paper measures with a "star sweep"
(one dimension varied at a time around a large model) and uses to scale each dimension at
its own rate. The paper reports that the MLP size should grow fastest with compute, then
depth, then width (exponents of about 0.6, 0.45 and 0.22; the order is confirmed by the
summaries available here, the digits could not be checked against a stored copy of the paper).

Inputs: x = the dimension chosen with ``sovit(dimension=...)``: ``width`` (default, d_model),
``depth`` (layers) or ``mlp_dim`` (MLP hidden size); t = ``flops`` (training compute; the
paper plots GFLOPs, any unit works with refitted constants).

Reference values are representative, not the paper's fitted constants (which could not be
read here): per dimension, a_k and b_k with c = 0.33 give the shape exponent above, and
alpha_k, beta_k, xi_k are set by :func:`reference` so that at t = 3e19 FLOPs the optimum
sits inside the input range (width 500, depth 24, MLP 3072), where the x_k^(-a_k) term is
0.15, the t term 0.05 of xi_k and eps_k = 0.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

_T0 = 3e19
_C = 0.33
#: per dimension: column, (a_k, b_k), optimum at t = 3e19, input range
DIMENSIONS: dict[str, tuple[str, tuple[float, float], float, tuple[float, float]]] = {
    "width": ("width", (1.0, 0.5), 500.0, (128.0, 2048.0)),
    "depth": ("depth", (0.5, 0.7 / 3), 24.0, (4.0, 64.0)),
    "mlp_dim": ("mlp_dim", (0.35, 0.2), 3072.0, (512.0, 8192.0)),
}


def shape_exponent(params: Mapping[str, float]) -> float:
    """s_k = c/(a_k + b_k): the optimal size grows as t^s_k."""
    return params["c"] / (params["a"] + params["b"])


def optimal_size(params: Mapping[str, float], flops: Any) -> Any:
    """The size x_k* minimising f_k at compute ``flops``."""
    p = params
    t = np.asarray(flops, dtype=float)
    out = (p["a"] * p["alpha"] * t ** p["c"] / (p["b"] * p["beta"])) ** (
        1.0 / (p["a"] + p["b"]))
    return float(out) if out.ndim == 0 else out


def reference(a: float, b: float, x_star: float, t0: float = _T0,
              c: float = _C) -> dict[str, float]:
    """Representative constants with exponents a, b, c and the optimum at x_star at t0."""
    alpha = 0.15 * x_star**a
    beta = a * alpha * t0**c / (b * x_star ** (a + b))
    return {"alpha": alpha, "a": a, "beta": beta, "b": b, "xi": 0.05 * t0**c, "c": c,
            "eps": 0.1}


def _around(value: float, factor: float) -> tuple[float, float]:
    return (value / factor, value * factor)


@register("sovit", variants=[{"dimension": "depth"}, {"dimension": "mlp_dim"}])
def sovit(dimension: str = "width") -> Law:
    key = str(dimension).strip().lower()
    if key not in DIMENSIONS:
        raise LawError(f"unknown shape dimension {dimension!r}", "option 'dimension' of sovit",
                       f"use one of {', '.join(DIMENSIONS)}")
    column, (a, b), x_star, span = DIMENSIONS[key]
    ref = reference(a, b, x_star)
    return Law(
        "alpha*x**(-a) + (beta*x**b + xi)*t**(-c) + eps",
        inputs={"x": column, "t": "flops"},
        parameters=[
            Parameter("alpha", 0.0, np.inf, log=True, init=(1.0, 30.0, 1000.0),
                      typical=_around(ref["alpha"], 1.5),
                      description="amplitude of the size term"),
            Parameter("a", 0.0, 5.0, init=(0.3, 0.7, 1.5), typical=_around(a, 1.2),
                      description="size exponent (unlimited compute)"),
            Parameter("beta", 0.0, np.inf, log=True, init=(1e3, 1e5, 1e7),
                      typical=_around(ref["beta"], 1.5),
                      description="amplitude of the compute penalty of a larger size"),
            Parameter("b", 0.0, 5.0, init=(0.2, 0.5, 1.0), typical=_around(b, 1.2),
                      description="growth of the compute penalty with size"),
            Parameter("xi", 0.0, np.inf, log=True, init=(1e4, 1e6, 1e8),
                      typical=_around(ref["xi"], 1.5),
                      description="compute term independent of size"),
            Parameter("c", 0.0, 2.0, init=(0.2, 0.35, 0.5), typical=(0.32, 0.34),
                      description="compute exponent"),
            Parameter("eps", 0.0, np.inf, log=True, init=(0.03, 0.1, 0.3),
                      typical=(0.08, 0.12), description="irreducible loss or error"),
        ],
        name="sovit",
        description="Loss or error in one shape dimension (width, depth or MLP size) and "
        "compute, with an interior compute-optimal size x* ~ t^(c/(a+b)) (Alabdulmohsin et "
        "al. 2023).",
        citation="Alabdulmohsin et al. 2023, arXiv:2305.13035, Sec. 3, eq. (2)",
        domain="ViT pre-training (JFT-3B) scaled in one shape dimension at a time with the "
        "others large; f = ImageNet 10-shot error or upstream loss",
        # representative, not the paper's fit (see the module docstring)
        reference=ref,
        ranges={"x": span, "t": (1e18, 1e21)},
    )
