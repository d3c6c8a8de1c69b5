"""``sl.observational.fit``: an observational scaling law from a table of public models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .capability import DEFAULT_VARIANCE
from .inputs import as_frame, read_table
from .links import check_bounds
from .model import Options, build
from .result import ObservationalFit


def fit(scores: Any, *, benchmarks: Sequence[str] | None = None,
        compute: str | None = "FLOPs (1E21)", family: str | None = "Model Family",
        compute_scale: float = 1e21, k: int | None = None, target: str | None = None,
        floor: float | None = None, ceiling: float = 1.0,
        variance: float = DEFAULT_VARIANCE, standardize: bool = False,
        impute_rank: int = 1, model: str | None = "Model") -> ObservationalFit:
    """Fit an observational scaling law (Ruan, Maddison, Hashimoto 2024) to ``scores``.

    ``scores`` is a table with one row per model (a DataFrame, a Dataset, or a file or
    registry name such as ``"observational"``): benchmark scores as fractions in [0, 1]
    (``benchmarks``, by default those of the paper's eight that the table has, less the
    target), the model's family and its training compute (``compute``, in units of
    ``compute_scale`` FLOPs), and optionally the ``target`` metric, also in [0, 1].

    Missing scores are filled by PCA imputation (rank ``impute_rank``, as in the reference
    code); the principal components of the filled scores (``standardize=True``: of each
    benchmark scaled to unit variance) are the capabilities, ``k`` of them, or the fewest that
    explain ``variance`` of the variance. Each family with two or more models of known,
    distinct compute gets its efficiency: per component a line in log10 compute. With a
    ``target``, the link ``target = floor + (ceiling - floor) * sigmoid(w . PCs + b)`` is
    fitted by least squares, the floor within [0, 0.2] unless given (a chance level), and a
    compute-only baseline ``sigmoid(a log10 C + b)`` beside it.
    """
    check_bounds(floor, ceiling)
    options = Options(k=k, variance=variance, standardize=bool(standardize),
                      impute_rank=impute_rank, floor=floor, ceiling=ceiling, compute=compute,
                      family=family, compute_scale=compute_scale)
    table = read_table(as_frame(scores), benchmarks=benchmarks, target=target,
                       compute=compute, family=family, compute_scale=compute_scale,
                       model=model)
    return ObservationalFit(table, options, build(table, options))
