"""Datasets: schema, validation, file IO and bundled data."""

from .dataset import Dataset as Dataset
from .schedule import schedule_areas as schedule_areas
