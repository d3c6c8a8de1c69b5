"""MkDocs hooks: the pages' ``exec="on"`` blocks import ``docs_numbers`` (this folder) and
the benchmarks' modules (``benchmarks/``) without each block editing ``sys.path``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def on_config(config: Any) -> Any:
    for folder in (ROOT / "docs", ROOT / "benchmarks"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    return config
