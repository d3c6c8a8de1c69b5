"""Fitting: the public door to fits. ``fit`` (one law, or jointly across groups), the result
types, their summary and their files; ``fit_law`` and ``FitOptions`` for callers that fit many
times (options checked once)."""

from ..engine.options import FitOptions as FitOptions
from ..engine.status import FitStatus as FitStatus
from ..engine.status import StartsTable as StartsTable
from .api import fit as fit
from .batch import QuickFit as QuickFit
from .batch import fit_batch as fit_batch
from .calibrating import calibrate as calibrate
from .calibration import KIND_LABELS as KIND_LABELS
from .calibration import Calibration as Calibration
from .chain import Chain as Chain
from .chain import chain as chain
from .columns import bind_data as bind_data
from .columns import bind_many as bind_many
from .columns import role_of as role_of
from .columns import split_columns as split_columns
from .columns import with_roles as with_roles
from .curves import Cooldown as Cooldown
from .curves import LossCurve as LossCurve
from .curves import cooldown as cooldown
from .curves import predict_curve as predict_curve
from .each import fit_each as fit_each
from .files import load as load
from .files import load_fit as load_fit
from .files import load_shared_fit as load_shared_fit
from .hyperparams import HyperparameterFit as HyperparameterFit
from .many import FitFailure as FitFailure
from .many import Problem as Problem
from .many import fit_many as fit_many
from .many_dask import local_cluster as local_cluster
from .multipower import MultiPowerFit as MultiPowerFit
from .multipower_fit import fit_multi_power as fit_multi_power
from .prediction import Prediction as Prediction
from .prediction import predict as predict
from .result import FitResult as FitResult
from .shared import SharedFit as SharedFit
from .single import fit_law as fit_law
from .summary import Summary as Summary
