"""The capability space: benchmark scores, their missing cells filled by PCA imputation, and
the principal components of the filled table (scikit-learn ``PCA``).

Imputation follows Ruan et al.'s reference code: each benchmark standardised over the models
that report it, the missing cells started at the column mean (zero after standardising),
then a rank-``r`` PCA reconstruction (``r = 1`` by default) refilled into the missing cells
until the filled cells stop changing (each moves less than ``1e-4`` standard deviations in an
iteration; the reference compares every cell, observed ones included, with the
reconstruction, which a rank-1 reconstruction never meets, so it runs its 1,000 iterations to
the same fixed point), and
the result clipped to [0, 1]. New rows (a model to predict) are filled with the same
standardisation and components, fixed. The components themselves are then those of the
filled scores as they are (accuracies share one scale, as in the reference code) or, with
``standardize=True``, of each benchmark scaled to unit variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exceptions import DataError, OptionError

#: the imputation's convergence tolerance (in standard deviations) and iteration limit
IMPUTE_TOL, IMPUTE_MAX_ITER = 1e-4, 1000
#: the share of variance the chosen components reach when ``k`` is not given
DEFAULT_VARIANCE = 0.95


@dataclass(frozen=True, eq=False)
class CapabilitySpace:
    """The fitted imputation and principal components of a table of benchmark scores."""

    benchmarks: tuple[str, ...]
    #: imputation: per-benchmark mean and scale, and the rank-r basis (rows) with its centre
    fill_mean: np.ndarray
    fill_scale: np.ndarray
    fill_basis: np.ndarray
    fill_centre: np.ndarray
    #: PCA: the centre and scale of its inputs, every component (rows), their variance shares
    centre: np.ndarray
    scale: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    k: int
    standardize: bool
    #: how many cells of the fitted table were missing and filled
    n_imputed: int

    @property
    def names(self) -> list[str]:
        """``PC-1`` ... ``PC-k``."""
        return [f"PC-{i + 1}" for i in range(self.k)]

    def fill(self, scores: np.ndarray) -> np.ndarray:
        """``scores`` (models x benchmarks, NaN where missing) with their missing cells
        filled from the fitted components (held fixed), clipped to [0, 1]."""
        return _refill(scores, self.fill_mean, self.fill_scale, self.fill_basis,
                       self.fill_centre)

    def transform(self, scores: np.ndarray) -> np.ndarray:
        """The capabilities (models x k) of rows of benchmark scores."""
        filled = self.fill(np.atleast_2d(np.asarray(scores, dtype=float)))
        return ((filled - self.centre) / self.scale) @ self.components[: self.k].T


def fit_space(scores: np.ndarray, benchmarks: tuple[str, ...], *, k: int | None = None,
              variance: float = DEFAULT_VARIANCE, standardize: bool = False,
              impute_rank: int = 1) -> CapabilitySpace:
    """Fill the missing cells of ``scores`` and fit its principal components; ``k`` is the
    number kept, or (``k=None``) the fewest whose shares of variance add up to ``variance``."""
    from sklearn.decomposition import PCA

    x = np.asarray(scores, dtype=float)
    n, p = x.shape
    if not 1 <= impute_rank < p:
        raise OptionError(f"impute_rank must be between 1 and {p - 1} (one less than the "
                          f"number of benchmarks), got {impute_rank}", "argument 'impute_rank'")
    missing = np.isnan(x)
    mean = np.nanmean(x, axis=0)
    scale = np.nanstd(x, axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = np.where(missing, 0.0, (x - mean) / scale)
    basis, centre = _low_rank(z, impute_rank)
    z, basis, centre = _impute(z, missing, basis, centre, impute_rank)
    filled = np.clip(z * scale + mean, 0.0, 1.0)
    pca_centre = filled.mean(axis=0)
    pca_scale = filled.std(axis=0) if standardize else np.ones(p)
    pca_scale = np.where(pca_scale > 0, pca_scale, 1.0)
    pca = PCA(svd_solver="full").fit((filled - pca_centre) / pca_scale)
    components = np.array(pca.components_, dtype=float)
    # the sign of a component is arbitrary: each is turned so that its loadings add up to a
    # positive number (PC-1 then grows with every benchmark, as capability does)
    components *= np.where(components.sum(axis=1) < 0, -1.0, 1.0)[:, None]
    shares = np.array(pca.explained_variance_ratio_, dtype=float)
    chosen = _choose_k(shares, k, variance, n)
    return CapabilitySpace(benchmarks, mean, scale, basis, centre, pca_centre, pca_scale,
                           components, shares, chosen, standardize, int(missing.sum()))


def _choose_k(shares: np.ndarray, k: int | None, variance: float, n: int) -> int:
    most = len(shares)
    if k is None:
        if not 0 < variance <= 1:
            raise OptionError(f"variance must be in (0, 1], got {variance}",
                              "argument 'variance'", "e.g. variance=0.95")
        reached = int(np.searchsorted(np.cumsum(shares), variance - 1e-12)) + 1
        return min(reached, most)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= most:
        raise OptionError(f"k must be a whole number from 1 to {most} (the number of "
                          f"components {n} models and the benchmarks allow), got {k!r}",
                          "argument 'k'", "leave k=None to choose it by explained variance")
    return int(k)


def _low_rank(z: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """The top ``rank`` principal directions (rows) of ``z`` and its column means."""
    centre = z.mean(axis=0)
    _, _, vt = np.linalg.svd(z - centre, full_matrices=False)
    return vt[:rank], centre


def _refill(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, basis: np.ndarray,
            centre: np.ndarray) -> np.ndarray:
    missing = np.isnan(x)
    if missing.all(axis=1).any():
        raise DataError("a model has no benchmark score at all, so its capabilities cannot "
                        "be placed", fix="give at least one benchmark score")
    z = np.where(missing, 0.0, (x - mean) / scale)
    z = _impute(z, missing, basis, centre, None)[0]
    return np.asarray(np.clip(z * scale + mean, 0.0, 1.0))


def _impute(z: np.ndarray, missing: np.ndarray, basis: np.ndarray, centre: np.ndarray,
            rank: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill the missing cells of ``z`` by iterated low-rank reconstruction (refitting the
    rank-``rank`` basis after each pass; a given basis stays with ``rank`` None)."""
    if missing.any():
        for _ in range(IMPUTE_MAX_ITER):
            rebuilt = (z - centre) @ basis.T @ basis + centre
            step = np.abs(rebuilt[missing] - z[missing]).max()
            z[missing] = rebuilt[missing]
            if step < IMPUTE_TOL:
                break
            if rank is not None:
                basis, centre = _low_rank(z, rank)
    return z, basis, centre
