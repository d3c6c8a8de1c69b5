"""IsoFLOP analysis: compute-optimal exponents read off the runs themselves, without a law.

Hoffmann et al. 2022 ("Training Compute-Optimal Large Language Models", arXiv:2203.15556)
estimate how the compute-optimal model size ``N_opt`` and token count ``D_opt`` grow with the
training budget ``C`` in three ways; two need no parametric law and are here:

* **Approach 2** (:func:`isoflop`): train several model sizes at each of a few fixed budgets
  (an IsoFLOP profile), fit a parabola to the final loss against ``log N`` at each budget, take
  its minimum as ``N_opt(C)``, then fit ``N_opt = k_N·C^a`` and ``D_opt = k_D·C^b`` by least
  squares in log-log. Intervals come from a bootstrap that resamples the runs within each
  budget and refits every parabola and both power laws (all resamples at once, as batched
  3x3 normal equations).
* **Approach 1** (:func:`envelope`): the lower envelope of loss against FLOPs over all runs
  (or checkpoints); the runs on the envelope are compute-optimal for their FLOPs, and power
  laws fitted to their ``N`` and ``D`` give ``a`` and ``b``.

For the law ``L = E + A/N^alpha + B/D^beta`` with ``C = 6ND`` both give
``a = beta/(alpha+beta)`` and ``b = alpha/(alpha+beta)`` (Hoffmann et al., Appendix D.2).
The choices (loss rather than log loss, where ``D_opt`` comes from, what "at the edge"
means) are in ``docs/planning.md``.
"""

# Split by idea: inputs (the size and FLOPs columns, checked), budgets (grouping runs into
# budgets, the per-budget table), parabola (the batched parabola fits, their minima and
# windows, and the log-log power laws), akima (Porian et al.'s spline minima), tokens (D_opt
# from N_opt), bootstrap (the runs resampled within each budget), result (IsoFlop), analysis
# (isoflop, Approach 2), frontier (envelope and Envelope, Approach 1).

from .analysis import isoflop as isoflop
from .budgets import EXACT_RTOL as EXACT_RTOL
from .budgets import LOG_BIN_DECADES as LOG_BIN_DECADES
from .frontier import Envelope as Envelope
from .frontier import envelope as envelope
from .inputs import Array as Array
from .result import IsoFlop as IsoFlop
