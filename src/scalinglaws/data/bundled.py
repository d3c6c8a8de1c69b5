"""Real datasets bundled with the package, with their citations."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from ..exceptions import DataError
from .dataset import Dataset


@dataclass(frozen=True)
class BundledDataset:
    """A bundled dataset's file, description and citation."""

    name: str
    filename: str
    description: str
    citation: str


_CATALOG = {
    "chinchilla": BundledDataset(
        name="chinchilla",
        filename="chinchilla.csv",
        description=(
            "245 training runs of Hoffmann et al. (2022), Figure 4, as extracted by Epoch AI. "
            "Columns params, tokens (= flops / 6 N), flops, loss, epoch_excluded (the 5 "
            "highest-loss points that Epoch excluded from every fit)."
        ),
        citation=(
            "Hoffmann et al., 'Training Compute-Optimal Large Language Models', 2022, "
            "arXiv:2203.15556; points extracted by Besiroglu, Erdil, Barnett, You, "
            "'Chinchilla Scaling: A replication attempt', 2024, arXiv:2404.10102 "
            "(github.com/epoch-research/analyzing-chinchilla, "
            "data/svg_extracted_data.csv, commit 9225883)."
        ),
    ),
}


def names() -> list[str]:
    """The names of the bundled datasets."""
    return sorted(_CATALOG)


def info(name: str) -> BundledDataset:
    """Description and citation of a bundled dataset."""
    try:
        return _CATALOG[name]
    except KeyError:
        raise DataError(
            f"no bundled dataset named '{name}'",
            f"available: {', '.join(names())}",
            "use one of those names, or load your own file with Dataset.from_csv",
        ) from None


def load(name: str) -> Dataset:
    """Load a bundled dataset by name.

    >>> import scalinglaws as sl
    >>> len(sl.datasets.load("chinchilla"))
    245
    """
    entry = info(name)
    with resources.files(__package__).joinpath("bundled", entry.filename).open("rb") as fh:
        frame = pd.read_csv(fh)
    return Dataset(frame, name=entry.name, citation=entry.citation)
