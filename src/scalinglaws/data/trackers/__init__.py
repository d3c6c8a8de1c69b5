"""Importers of runs from experiment trackers: MLflow (:func:`from_mlflow`), TensorBoard event
files (:func:`from_tensorboard`) and Weights & Biases (:func:`from_wandb_export`,
:func:`from_wandb`).

Each reads a tracker's runs and their logged curves and reduces every curve to rows the same
way (:class:`Reduction`: ``"final"``, ``"min"`` or ``"curve"``, ``mean_last``, ``at_tokens``,
the warm-up dropped with ``drop_warmup`` or ``min_step``), maps each run's state to a
``status`` column (:data:`STATUSES`) and leaves out the runs that did not finish, naming them.
The trackers' packages are imported on first use (``pip install 'scalinglaws[trackers]'``).
"""

from .mlflow import from_mlflow as from_mlflow
from .reduce import REDUCTIONS as REDUCTIONS
from .reduce import Reduction as Reduction
from .status import STATUSES as STATUSES
from .tensorboard import from_tensorboard as from_tensorboard
from .wandb import from_wandb as from_wandb
from .wandb import from_wandb_export as from_wandb_export
