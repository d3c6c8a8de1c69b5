"""Datasets: schema, validation, file IO and bundled data."""

from . import curves as curves
from . import schedules as schedules
from .conventions import Convention as Convention
from .dataset import Dataset as Dataset
from .schedule import schedule_areas as schedule_areas
from .schedules import Schedule as Schedule
from .shapes import from_shapes as from_shapes
from .standardizing import standardize as standardize
from .trackers import Reduction as Reduction
from .trackers import from_mlflow as from_mlflow
from .trackers import from_tensorboard as from_tensorboard
from .trackers import from_wandb as from_wandb
from .trackers import from_wandb_export as from_wandb_export
