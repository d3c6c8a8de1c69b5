"""Datasets: schema, validation, file IO and bundled data."""

from .dataset import Dataset as Dataset
