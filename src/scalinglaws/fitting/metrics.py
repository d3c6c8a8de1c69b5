"""Metric-aware fitting: a law whose target is a score in [0, 1] (accuracy, top-1 error) is
fitted by least squares on the score's own scale (or, asked with ``loss="mse_logit"``, on its
logit), never by accident by Huber on log residuals (the default for losses); its scores are
checked to lie in [0, 1], and a sigmoid whose data barely rise above chance is refused as
unidentifiable rather than fitted."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..common.warning import warn
from ..data.validation import rows_text
from ..exceptions import DataError

#: targets that are scores in [0, 1]: fitted with ``loss="mse"`` unless told
SCORE_TARGETS = ("accuracy", "top1_error", "error", "pass_rate", "exact_match", "f1")
#: the score targets where higher is better (the others, errors, fall like a loss)
HIGHER_IS_BETTER = ("accuracy", "pass_rate", "exact_match", "f1")
#: targets that may be zero or negative (a reward measured from its start): least squares
SIGNED_TARGETS = ("gold_reward", "reward")
#: the losses whose residuals are logs of the target
LOG_LOSSES = ("huber", "mse_log", "mse_log1p")
#: a score within this of the chance level counts as "at chance"
AT_CHANCE = 0.02
#: a sigmoid needs at least this many points clearly above its floor
MIN_ABOVE_CHANCE = 3


def is_score(target: str | None) -> bool:
    return target is not None and str(target).lower() in SCORE_TARGETS


def default_loss(target: str | None, loss: str | None) -> str:
    """The objective: ``loss`` when given (a log loss on a score target warns), else least
    squares for a score target and Huber on log residuals otherwise. ``mse_logit`` on a target
    that is not a score (a loss) warns: it expects scores strictly inside (0, 1)."""
    if loss is None:
        signed = target is not None and str(target).lower() in SIGNED_TARGETS
        return "mse" if is_score(target) or signed else "huber"
    if is_score(target) and loss in LOG_LOSSES:
        warn(f"loss='{loss}' fits the logs of {target}, a score in [0, 1]: errors near 0 "
             "weigh most and a score near chance bends the fit; loss='mse' (the default for "
             "this target) fits the score itself")
    if loss == "mse_logit" and not is_score(target):
        warn(f"loss='mse_logit' fits the logits of {target or 'the target'}, which is not a "
             f"score: it expects a score in (0, 1) (one of {', '.join(SCORE_TARGETS)}); use "
             "loss='huber' or 'mse_log' for a loss")
    return loss


def check_scores(values: np.ndarray, target: str, law: Any) -> None:
    """A score target's values lie in [0, 1]; a law with a chance floor needs points above it
    (else unidentifiable, refused) and is told when most points sit at chance."""
    bad = np.flatnonzero((values < 0) | (values > 1))
    if bad.size:
        raise DataError(f"'{target}' is a score in [0, 1], and some values are outside it",
                        f"column '{target}', {rows_text(bad)}",
                        "give scores as fractions (0.62, not 62%), or name another target")
    floor = _chance(law)
    if floor is None:
        return
    above = int(np.sum(values > floor + AT_CHANCE))
    if above < MIN_ABOVE_CHANCE:
        raise DataError(
            f"only {above} of {values.size} scores lie clearly above chance ({floor:g} + "
            f"{AT_CHANCE:g}): a sigmoid's midpoint and ceiling cannot be told apart",
            f"column '{target}'", "add larger runs, or fit the runs that rise above chance "
            "with another law (a power law in compute)")
    near = float(np.mean(np.abs(values - floor) <= AT_CHANCE))
    if near > 0.75:
        warn(f"{near:.0%} of the scores in '{target}' sit at chance ({floor:g}): the trend "
             "rests on the few runs above it")


def _chance(law: Any) -> float | None:
    """The fixed floor of a ``sigmoid_compute(chance=...)`` law, if that is the law."""
    from ..laws.catalog import parse_spec

    name, options = parse_spec(str(getattr(law, "name", "")))
    return float(options["chance"]) if name == "sigmoid_compute" and "chance" in options \
        else None


def binomial_weights(fit: Any, data: Any, questions: Any, weights: Any) -> np.ndarray:
    """Case weights ``questions / (p (1 - p))`` at the scores ``fit`` predicts (clipped away
    from 0 and 1), times the user's ``weights``: one step of iteratively reweighted least
    squares towards the binomial likelihood. Under ``loss="mse_logit"`` the weights are
    ``questions · p (1 - p)``: a binomial score's logit has variance 1 / (questions p (1 - p))
    (the delta method)."""
    n = len(data)
    if isinstance(questions, str):
        count = data.column(questions)
    else:
        count = np.broadcast_to(np.asarray(questions, dtype=float), (n,))
    if not np.all(np.isfinite(count)) or np.any(count < 1):
        raise DataError("questions must be at least 1 per score",
                        "argument 'questions'", "give the number of questions of the "
                        "benchmark (e.g. 14042 for MMLU)")
    inputs = {str(c): data.column(str(c)) for c in fit.law.inputs.values()}
    with np.errstate(all="ignore"):
        p = np.clip(np.asarray(fit.law(fit.params, **inputs), dtype=float), 1e-3, 1 - 1e-3)
    w = count * (p * (1.0 - p)) if fit.loss == "mse_logit" else count / (p * (1.0 - p))
    if weights is not None:
        w = w * np.asarray(weights, dtype=float)
    return np.asarray(w / np.mean(w), dtype=float)
