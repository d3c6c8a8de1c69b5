"""``scalinglaws.fit``: one law fitted to one data set, or jointly across groups."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal, overload

import pandas as pd

from ..data.dataset import Dataset
from ..engine import FitOptions
from ..exceptions import OptionError
from ..laws import fix as fix_parameters
from ..laws import tie as tie_parameters
from ..laws.law import Law
from .columns import bind_data
from .hyperparams import HyperparameterFit
from .metrics import HIGHER_IS_BETTER, binomial_weights, check_scores, default_loss, is_score
from .result import FitResult
from .score_trends import warn_score_trends
from .shared import SharedFit, fit_shared
from .single import fit_law


@overload
def fit(law: Literal["step_law"], data: Dataset | pd.DataFrame, *,  # type: ignore[overload-overlap]
        y: str | None = ..., columns: Mapping[str, str] | None = ...,
        keep_unfinished: bool = ..., **hyper: Any) -> HyperparameterFit: ...


@overload
def fit(law: Law | str, data: Dataset | pd.DataFrame, *, x: str | None = ...,
        y: str | None = ..., columns: Mapping[str, str] | None = ..., loss: str | None = ...,
        delta: float = ..., overestimate_penalty: float = ..., init: Any = ...,
        starts: str = ..., n_polish: int = ..., max_iter: int = ..., weights: Any = ...,
        throw: bool = ..., by: None = ..., shared: None = ...,
        fix: Mapping[str, float] | None = ...,
        tie: Mapping[str, str] | None = ...,
        keep_unfinished: bool = ..., questions: Any = ...) -> FitResult: ...


@overload
def fit(law: Law | str, data: Dataset | pd.DataFrame, *, x: str | None = ...,
        y: str | None = ..., columns: Mapping[str, str] | None = ..., loss: str | None = ...,
        delta: float = ..., overestimate_penalty: float = ..., init: Any = ...,
        starts: str = ..., n_polish: int = ..., max_iter: int = ..., weights: Any = ...,
        throw: bool = ..., by: str, shared: Sequence[str] | None = ...,
        fix: Mapping[str, float] | None = ...,
        tie: Mapping[str, str] | None = ...,
        keep_unfinished: bool = ..., questions: Any = ...) -> SharedFit: ...


def fit(
    law: Law | str,
    data: Dataset | pd.DataFrame,
    *,
    x: str | None = None,
    y: str | None = None,
    columns: Mapping[str, str] | None = None,
    loss: str | None = None,
    delta: float = 1e-3,
    overestimate_penalty: float = 1.0,
    init: Any = None,
    starts: str = "auto",
    n_polish: int = 4,
    max_iter: int = 1000,
    weights: Any = None,
    throw: bool = False,
    by: str | None = None,
    shared: Sequence[str] | None = None,
    fix: Mapping[str, float] | None = None,
    tie: Mapping[str, str] | None = None,
    keep_unfinished: bool = False,
    questions: Any = None,
    **hyper: Any,
) -> FitResult | SharedFit | HyperparameterFit:
    """Fit a law to data; returns a frozen :class:`FitResult` (a :class:`SharedFit` with
    ``by=``).

    Parameters
    ----------
    law:
        A catalog name (``"chinchilla"``), an expression or a :class:`Law`.
    data:
        A :class:`Dataset` (or DataFrame).
    x:
        For one-input laws, the column the input reads (``x="flops"``).
    y:
        The target column (default: the law's target, ``loss`` for most laws).
    columns:
        Map from roles or the law's input symbols to your columns (``{"params":
        "model_size"}`` or ``{"N": "model_size"}``, ``{"loss": "train_loss"}``): the columns
        are renamed to the roles first (:mod:`scalinglaws.fitting.columns`), so the fit speaks
        of roles and can be planned and queried by them.
    loss:
        ``"huber"`` (the default for losses: Huber on log residuals, as Hoffmann et al.
        2022), ``"mse_log"``, ``"mse_log1p"`` (least squares on ln(1 + y), as the BNSL paper
        fits), ``"mse"`` (raw residuals: the default when the target is a score in [0, 1]
        such as ``accuracy`` or ``top1_error``, whose values are then checked;
        :mod:`.metrics`) or ``"mse_logit"`` (least squares on logit(f) − logit(y), for scores
        strictly inside (0, 1): noise that shrinks near 0 and 1, as a benchmark's does).
    delta:
        Huber's threshold on log residuals (1e-3 as in Hoffmann et al.).
    overestimate_penalty:
        Weight of residuals where the law over-predicts (k>1 penalises over-prediction).
    init:
        Your own starts (a dict of all parameters or a list of dicts); replaces the search.
    starts:
        ``"auto"``: variable projection over a dense grid of the nonlinear parameters, then a
        batched polish of the best distinct candidates. ``"grid"``: optimise every start of
        the product of the parameters' init grids (e.g. Epoch AI's 4,500 starts).
    weights:
        Optional non-negative case weights, one per row.
    throw:
        Raise :class:`FitError` instead of returning a fit whose status is not converged.
    by, shared:
        A joint fit across the groups named by column ``by`` (families, datasets, ...):
        the ``shared`` parameters are common to all groups, the others are fitted per group
        (borrow exponents from well-sampled families for one with few models). Returns a
        :class:`~scalinglaws.SharedFit` with per-group parameters and
        ``predict(<by>=label, ...)``.
    fix:
        Parameters to hold at given values (``fix={"k": 1.0}``): the law fitted is the law
        with those numbers in place of them (:func:`scalinglaws.laws.fix`), for parameters
        the data cannot determine (:attr:`FitResult.undetermined`).
    keep_unfinished:
        Runs whose ``status`` column says they did not finish (diverged, unfinished, failed)
        are left out, with a warning naming them; ``True`` fits them too.
    questions:
        For a score target (accuracy...): the number of questions behind each score (a
        number, or a column): the least squares are weighted by the binomial variance
        ``questions / (p (1 - p))`` at the fitted scores (two passes, the quasi-likelihood of
        a binomial), so that standard errors and intervals follow the scores' own noise.
    tie:
        Parameters to replace by others (``tie={"beta": "alpha"}``: one exponent for both
        terms; :func:`scalinglaws.laws.tie`), applied after ``fix``.
    **hyper:
        With ``law="step_law"`` (optimal learning rate and batch size from a sweep; returns a
        :class:`~scalinglaws.fitting.HyperparameterFit`): ``seq_len``, ``n_boot``, ``seed``,
        ``level``, ``resample``, ``window``, ``bs_inputs`` (:mod:`.steplaw`); the batch
        size is read from ``columns={"batch_size": ...}``. Other laws take none.

    Notes
    -----
    Every result carries :class:`~scalinglaws.Diagnostics` (``.diagnostics``);
    the problems found (bounds, flat directions, disagreeing starts, residual trends, non-
    monotone data, too few points per parameter) are also issued as
    :class:`~scalinglaws.ScalingLawWarning` and kept in ``.warnings``; none of them but a bound
    changes ``status``.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> ds = sl.datasets.load("chinchilla")
    >>> f = sl.fit("chinchilla", ds[~ds.to_frame()["epoch_excluded"].to_numpy()])
    >>> round(f.params["alpha"], 2), f.status.value
    (0.35, 'converged')
    """
    if isinstance(law, str) and law == "step_law":
        from .steplaw import fit_step_law

        return fit_step_law(data, columns=columns, y=y, keep_unfinished=keep_unfinished,
                            unused={"x": x, "init": init, "weights": weights, "by": by,
                                    "shared": shared, "fix": fix, "tie": tie}, **hyper)
    if hyper:
        raise OptionError(f"unexpected argument(s) {', '.join(hyper)}",
                          f"argument '{next(iter(hyper))}'", "check the spelling; "
                          "seq_len=, n_boot= and the like are options of law='step_law'")
    # the options are checked before the data (the objective is chosen with the target)
    options = FitOptions(loss=loss or "huber", delta=delta,
                         overestimate_penalty=overestimate_penalty, starts=starts,
                         n_polish=n_polish, max_iter=max_iter)
    bound, ds = bind_data(law, data, x=x, columns=columns, y=y,
                          keep_unfinished=keep_unfinished)
    target = y or bound.target
    # a score by its column's name, or by the law's own target (sigmoid_compute: accuracy)
    score = target if is_score(target) else (bound.target if is_score(bound.target) else None)
    options = dataclasses.replace(options, loss=default_loss(score or target, loss))
    if score is not None and ds.has(target):
        check_scores(ds.column(target), target, bound)
        warn_score_trends(ds.column(target), target,
                          {str(c): ds.column(str(c)) for c in bound.inputs.values()},
                          higher_is_better=str(score).lower() in HIGHER_IS_BETTER)
    if fix:
        bound = fix_parameters(bound, fix)
    if tie:
        bound = tie_parameters(bound, tie)
    if questions is not None:
        if score is None:
            raise OptionError("questions= weights a score (accuracy, top-1 error...) by its "
                              "binomial noise", "argument 'questions'",
                              "leave it out for a loss, or fit a score column")
        if by is not None or shared is not None:
            raise OptionError("questions= is not taken by a joint fit across groups",
                              "argument 'questions'", "fit each group on its own")
        first = fit_law(bound, ds, y=target, options=options, init=init, weights=weights,
                        quiet=True)
        weights = binomial_weights(first, ds, questions, weights)
    if by is None and shared is None:
        return fit_law(bound, ds, y=y, options=options, init=init, weights=weights,
                       throw=throw)
    if init is not None:
        raise OptionError("init= is not taken by a joint fit across groups",
                          "argument 'init'", "drop init=; the joint fit starts from the "
                          "pooled fit and from each group's own fit")
    return fit_shared(bound, ds, shared=shared, by=by, y=y, weights=weights, throw=throw,
                      options=options)
