"""The registry of datasets bundled with the package: their names, descriptions, citations and
tables. :mod:`.bundled` (``sl.datasets``) builds them into Datasets; ``Dataset.read`` finds
them by name."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from ..exceptions import DataError


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


def table(name: str) -> pd.DataFrame:
    """The rows of a bundled dataset as they are stored (not yet validated)."""
    entry = info(name)
    with resources.files(__package__).joinpath("bundled", entry.filename).open("rb") as fh:
        return pd.read_csv(fh)
