"""Parameter and FLOP accounting of transformer shapes.

``Transformer(n_layers=32, d_model=4096, n_heads=32, vocab=32000, ...)`` describes a model;
``.params()`` counts its parameters (total, non-embedding, embedding, active per token) and
``.flops_per_token()`` its compute, exactly (every matrix product) or as ``6N``.
:data:`PRESETS` holds published configurations; :func:`convention_table` the conventions of
the literature (what counts as non-embedding, Kaplan's and Chinchilla's FLOPs). This package
imports only :mod:`scalinglaws.common` and :mod:`scalinglaws.exceptions`.
"""

from .conventions import convention_table as convention_table
from .counting import ParamCount as ParamCount
from .presets import PRESETS as PRESETS
from .presets import SOURCES as SOURCES
from .presets import count as count
from .presets import preset as preset
from .shape import Transformer as Transformer

__all__ = ["PRESETS", "SOURCES", "ParamCount", "Transformer", "convention_table", "count",
           "preset"]
