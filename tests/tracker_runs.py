"""One sweep of training runs written the way each tracker writes it: to a real MLflow store
(through MLflow's client), to real TensorBoard event files (tensorboardX's writer) and to the
CSV files the W&B page exports. Shared by the importer tests and ``bench_import.py``."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: Hoffmann et al. (2022), approach 3, as refitted by Besiroglu et al. (2024, arXiv:2404.10102)
E, A, B, ALPHA, BETA = 1.82, 482.0, 2085.0, 0.3478, 0.3658


@dataclass
class Run:
    """One run: its name, size, state (MLflow's word) and its curve at each logged step."""

    name: str
    params: float
    steps: np.ndarray
    tokens: np.ndarray
    loss: np.ndarray
    state: str = "FINISHED"
    extra: dict[str, float] = field(default_factory=dict)


def loss_at(params: float, tokens: np.ndarray) -> np.ndarray:
    return E + A / params**ALPHA + B / tokens**BETA


def sweep(n_runs: int = 12, n_steps: int = 50, seed: int = 0) -> list[Run]:
    """``n_runs`` runs (sizes × token budgets) of a Chinchilla-like loss, logged at steps 1
    to ``n_steps`` with a little evaluation noise."""
    rng = np.random.default_rng(seed)
    sizes = np.geomspace(4e7, 1e9, max(1, n_runs // 3))
    runs = []
    for i in range(n_runs):
        params = float(sizes[i % len(sizes)])
        budget = 20 * params * (0.5, 1.0, 2.0)[i // len(sizes) % 3] * (1 + i // (3 * len(sizes)))
        steps = np.arange(1, n_steps + 1, dtype=float)
        tokens = steps * (budget / n_steps)
        noise = 1 + 0.002 * rng.standard_normal(n_steps)
        runs.append(Run(f"run{i:03d}", params, steps, tokens, loss_at(params, tokens) * noise))
    return runs


#: an empty MLflow database, made once per process (MLflow's schema migrations take seconds)
_EMPTY_DB: list[Path] = []


def mlflow_database(path: Path) -> str:
    """The URI of a new, empty MLflow SQLite store at ``path`` (a copy of one made once)."""
    from mlflow.tracking import MlflowClient

    if not _EMPTY_DB:
        empty = Path(tempfile.mkdtemp(prefix="scalinglaws-mlflow-")) / "empty.db"
        with warnings.catch_warnings():  # MLflow's use of SQLAlchemy, deprecated by the latter
            warnings.filterwarnings("ignore", category=DeprecationWarning,
                                    module=r"mlflow(\.|$)")
            MlflowClient(tracking_uri=f"sqlite:///{empty}").search_experiments()
        _EMPTY_DB.append(empty)
    shutil.copyfile(_EMPTY_DB[0], path)
    return f"sqlite:///{path}"


def write_mlflow(uri: str, experiment: str, runs: list[Run]) -> None:
    """The runs in an MLflow store: ``n_params`` a parameter, ``loss`` and ``tokens``
    metrics at each step, the run's status as given."""
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    experiment_id = client.create_experiment(experiment)
    for run in runs:
        made = client.create_run(experiment_id, run_name=run.name)
        run_id = made.info.run_id
        params = [Param("n_params", repr(run.params))]
        params += [Param(k, repr(v)) for k, v in run.extra.items()]
        metrics = [Metric(key, float(v), int(i), int(s))
                   for key, values in (("loss", run.loss), ("tokens", run.tokens))
                   for i, (s, v) in enumerate(zip(run.steps, values, strict=True))]
        for start in range(0, len(metrics), 1000):  # MLflow takes 1,000 metrics per batch
            client.log_batch(run_id, metrics=metrics[start:start + 1000],
                             params=params if start == 0 else [])
        client.set_terminated(run_id, status=run.state)


def write_tensorboard(logdir: Path, runs: list[Run]) -> None:
    """The runs as TensorBoard event files, one folder per run: ``loss`` and ``tokens``
    scalars at each step, ``n_params`` a hyper-parameter (``add_hparams``, which writes its
    own sub-folder as PyTorch's writer does)."""
    from tensorboardX import SummaryWriter

    for run in runs:
        writer = SummaryWriter(str(logdir / run.name), filename_suffix=".scalars")
        for s, loss, tokens in zip(run.steps, run.loss, run.tokens, strict=True):
            writer.add_scalar("loss", float(loss), int(s))
            writer.add_scalar("tokens", float(tokens), int(s))
        writer.add_hparams({"n_params": run.params, **run.extra}, {}, name="hparams")
        writer.close()


#: W&B's word for each MLflow status the tests use
WANDB_STATE = {"FINISHED": "finished", "FAILED": "crashed", "KILLED": "killed",
               "RUNNING": "running"}


def write_wandb_export(folder: Path, runs: list[Run]) -> tuple[Path, Path]:
    """The runs as the W&B page exports them: the runs table (``Name``, ``State``, ...,
    config and summary columns) and the history (one row per logged step, ``_step``)."""
    table = pd.DataFrame({
        "Name": [r.name for r in runs],
        "State": [WANDB_STATE[r.state] for r in runs],
        "Notes": "-", "User": "someone", "Tags": "", "Created": "2024-05-01T10:00:00.000Z",
        "Runtime": 3600, "Sweep": "",
        "n_params": [r.params for r in runs],
        **{k: [r.extra.get(k) for r in runs] for k in sorted({k for r in runs for k in r.extra})},
        "loss": [r.loss[-1] for r in runs],
        "tokens": [r.tokens[-1] for r in runs],
        "_step": [r.steps[-1] for r in runs],
    })
    history = pd.concat([pd.DataFrame({
        "Name": r.name, "_step": r.steps.astype(int), "_runtime": r.steps * 2.0,
        "_timestamp": 1.7e9 + r.steps, "loss": r.loss, "tokens": r.tokens}) for r in runs])
    os.makedirs(folder, exist_ok=True)
    # a NaN as W&B writes it (an empty cell is a value never logged)
    table.to_csv(folder / "runs.csv", index=False, na_rep="NaN")
    history.to_csv(folder / "history.csv", index=False, na_rep="NaN")
    return folder / "runs.csv", folder / "history.csv"
