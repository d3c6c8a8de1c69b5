"""Coverage curves from per-problem samples: the fraction of problems that at least one of k
samples solves, for each k, as the mean over problems of the unbiased pass@k (Brown et al.
2024, "Large Language Monkeys", arXiv:2407.21787, Sec. 2). Fit the ``coverage`` law on it for
k up to the samples drawn, and predict larger k."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, OptionError
from .passk import pass_at_k


def coverage_curve(n: Any, c: Any, k: Any = None) -> pd.DataFrame:
    """The coverage at each ``k`` of problems sampled ``n`` times with ``c`` passes each.

    ``n`` and ``c``: one count per problem (``n`` may be one number for all); ``k``: the
    sample counts to evaluate (default: about 30 log-spaced values from 1 to the fewest
    samples of any problem). Returns a DataFrame with columns ``samples``, ``coverage`` and
    ``problems``, ready for ``sl.fit("coverage", frame)``.

    Examples
    --------
    >>> curve = coverage_curve(100, [0, 3, 50, 100], [1, 10, 100])
    >>> [round(v, 4) for v in curve["coverage"]]
    [0.3825, 0.5682, 0.75]
    """
    c_arr = np.atleast_1d(np.asarray(c))
    if c_arr.ndim != 1 or c_arr.size == 0:
        raise DataError("c must give one count of passing samples per problem",
                        "argument 'c'", "give a list such as [0, 3, 50]")
    if np.ndim(n) > 1 or np.size(n) not in (1, c_arr.size):
        raise DataError(f"n gives {np.size(n)} counts for {c_arr.size} problems",
                        "argument 'n'", "give one number of samples, or one per problem")
    n_arr = np.broadcast_to(np.atleast_1d(np.asarray(n)), c_arr.shape)
    if k is None:
        fewest = int(np.min(n_arr))
        if fewest < 1:
            raise OptionError("every problem needs at least one sample", "argument 'n'",
                              "give n >= 1")
        k = np.unique(np.round(np.geomspace(1, fewest, 30)).astype(np.int64))
    ks = np.atleast_1d(np.asarray(k))
    cov = [float(np.mean(pass_at_k(n_arr, c_arr, kk))) for kk in ks]
    return pd.DataFrame({"samples": ks, "coverage": cov,
                         "problems": np.full(ks.shape, c_arr.size)})
