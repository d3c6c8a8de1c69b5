"""Runs from an MLflow tracking store: :func:`from_mlflow`.

Reads through MLflow's own client (``mlflow-skinny`` is enough; a ``sqlite:///`` store needs
SQLAlchemy and Alembic too, which ``scalinglaws[trackers]`` installs), so any store MLflow
reads works: a database (``sqlite:///mlflow.db``), a tracking server (``http://host:5000``) or
a folder MLflow wrote (``./mlruns``). The MLflow packages are imported on the first call.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd

from ...exceptions import DataError
from ..dataset import Dataset
from .options import request, require
from .reduce import Reduction
from .runs import Imported, Progress, TrackedRun, assemble
from .status import MLFLOW_STATES

_STORES = ("give the folder MLflow writes (./mlruns), its database (sqlite:///mlflow.db) or a "
           "tracking server's URL (http://host:5000)")


def from_mlflow(tracking_uri: str | os.PathLike[str], experiment: str, *,
                metric: str = "loss", params: Mapping[str, str] | Sequence[str] | None = None,
                reduce: str | Reduction = "final", mean_last: int | None = None,
                at_tokens: float | None = None, drop_warmup: float | None = None,
                min_step: float | None = None, include_unfinished: bool = False,
                run_values: Any = None, target: str = "loss",
                progress: Progress | None = None) -> Dataset:
    """The runs of an MLflow experiment as a Dataset, each metric history reduced to rows.

    Parameters
    ----------
    tracking_uri:
        The store: ``sqlite:///mlflow.db``, ``http://host:5000``, ``file:///.../mlruns`` or a
        path (a folder MLflow wrote, or its SQLite file).
    experiment:
        The experiment's name (or its id).
    metric:
        The logged metric to fit (the column ``target``, ``loss`` by default).
    params:
        Columns to add, each from a run parameter, tag or metric:
        ``{"params": "n_params", "tokens": "tokens_seen"}`` (a list keeps the names). A
        parameter is one value per run; a metric is aligned with the metric's steps (its
        last value logged at or before each step).
    reduce, mean_last, at_tokens, drop_warmup, min_step:
        How each curve becomes rows (:class:`~.reduce.Reduction`): ``"final"``, ``"min"`` or
        ``"curve"`` (one row per logged step, with ``step`` and ``run``).
    include_unfinished:
        Keep runs whose status is not FINISHED (left out with a warning by default); the
        ``status`` column says finished, failed, unfinished (killed, running) or diverged.
    run_values:
        Values per run given by hand, ``{run_name: {name: value}}`` or a DataFrame with a
        ``run`` column: columns of their own, or sources for ``params``.
    progress:
        ``progress(runs_done, runs_total)``, called as runs are read.

    Notes
    -----
    The dataset's ``citation`` records the store, the experiment, the metric and the
    reduction (it is shown when the dataset is printed).

    Examples
    --------
    >>> ds = sl.data.from_mlflow("sqlite:///mlflow.db", "sweep", metric="val_loss",
    ...                          params={"params": "n_params", "tokens": "tokens"},
    ...                          reduce="final", mean_last=3)  # doctest: +SKIP
    """
    return read_mlflow(tracking_uri, experiment, metric=metric, params=params, reduce=reduce,
                       mean_last=mean_last, at_tokens=at_tokens, drop_warmup=drop_warmup,
                       min_step=min_step, include_unfinished=include_unfinished,
                       run_values=run_values, target=target, progress=progress).dataset


def read_mlflow(tracking_uri: str | os.PathLike[str], experiment: str, *, metric: str,
                params: Mapping[str, str] | Sequence[str] | None, reduce: str | Reduction,
                mean_last: int | None, at_tokens: float | None, drop_warmup: float | None,
                min_step: float | None, include_unfinished: bool, run_values: Any,
                target: str, progress: Progress | None) -> Imported:
    """:func:`from_mlflow` with what became of each run (for the command line)."""
    uri, file_store = store_uri(tracking_uri)
    source = f"MLflow experiment '{experiment}' at {uri}"
    req = request(metric=metric, params=params, reduce=reduce, mean_last=mean_last,
                  at_tokens=at_tokens, drop_warmup=drop_warmup, min_step=min_step,
                  include_unfinished=include_unfinished, target=target,
                  run_values=run_values, states=MLFLOW_STATES, tracker="MLflow",
                  source=source, name=str(experiment))
    tracking = require("mlflow.tracking", "mlflow-skinny", "MLflow")
    errors = require("mlflow.exceptions", "mlflow-skinny", "MLflow")
    with _file_store(file_store), warnings.catch_warnings():
        # MLflow's own deprecation notices (its use of SQLAlchemy) are not the user's to fix
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"mlflow(\.|$)")
        try:
            client = tracking.MlflowClient(tracking_uri=uri)
            experiment_id = _experiment(client, experiment, uri)
            runs = list(_runs(client, experiment_id))
            if not runs:
                raise DataError(f"the MLflow experiment '{experiment}' has no runs",
                                f"store {uri}", "log runs to it, or name another experiment")
            return assemble(runs, req, progress)
        except errors.MlflowException as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise DataError(f"cannot read the MLflow store: {first}", f"store {uri}",
                            _STORES) from None


def store_uri(tracking_uri: str | os.PathLike[str]) -> tuple[str, bool]:
    """The tracking URI MLflow is given, and whether it is a folder (a file store). A local
    store that does not exist is a DataError (MLflow would create an empty one)."""
    text = os.fspath(tracking_uri)
    if not isinstance(text, str) or not text:
        raise DataError(f"an MLflow tracking URI is text, got {tracking_uri!r}",
                        "argument 'tracking_uri'", _STORES)
    scheme = urlparse(text).scheme.lower()
    if scheme == "sqlite":
        path = Path(text.split(":///", 1)[1]) if ":///" in text else Path("")
        if not path.is_file():
            raise DataError(f"no MLflow database at {path}", f"tracking URI {text}",
                            f"check the path; {_STORES}")
        return text, False
    if scheme not in ("", "file") and not (len(scheme) == 1 and os.name == "nt"):
        return text, False  # a server or a database MLflow reaches itself
    path = Path(urlparse(text).path if scheme == "file" else text)
    if not path.exists():
        raise DataError(f"no MLflow store at {path}", f"tracking URI {text}",
                        f"check the path; {_STORES}")
    if path.is_file():
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise DataError(f"{path.name} is neither an MLflow database nor a folder",
                                f"tracking URI {text}", _STORES)
        return f"sqlite:///{path.resolve()}", False
    if not any((child / "meta.yaml").is_file() for child in path.iterdir()):
        raise DataError(f"the folder {path} holds no MLflow experiment (no */meta.yaml)",
                        f"tracking URI {text}", _STORES)
    return path.resolve().as_uri(), True


@contextmanager
def _file_store(allowed: bool) -> Iterator[None]:
    """MLflow 3 refuses a folder store unless ``MLFLOW_ALLOW_FILE_STORE`` is set: reading an
    existing one is what the user asked for, so it is set while the store is read."""
    name = "MLFLOW_ALLOW_FILE_STORE"
    before = os.environ.get(name)
    if allowed:
        os.environ[name] = "true"
    try:
        yield
    finally:
        if allowed:
            if before is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = before


def _experiment(client: Any, experiment: str, uri: str) -> str:
    found = client.get_experiment_by_name(str(experiment))
    if found is None and str(experiment).isdigit():
        try:
            found = client.get_experiment(str(experiment))
        except Exception:  # an id that does not exist: the listing below says what does
            found = None
    if found is None:
        names = sorted(e.name for e in client.search_experiments())
        raise DataError(f"no MLflow experiment named '{experiment}'", f"store {uri}",
                        "name one of the experiments there: "
                        + (", ".join(f"'{n}'" for n in names[:30]) or "(none)"))
    return str(found.experiment_id)


def _runs(client: Any, experiment_id: str) -> Iterator[TrackedRun]:
    """The experiment's runs, page by page."""
    token = None
    while True:
        page = client.search_runs([experiment_id], max_results=1000, page_token=token)
        for run in page:
            info, data = run.info, run.data
            tags = {k: v for k, v in data.tags.items() if not k.startswith("mlflow.")}
            yield TrackedRun(name=info.run_name or info.run_id, state=info.status,
                             values={**tags, **data.params}, series=set(data.metrics),
                             load=_history(client, info.run_id), key=info.run_id)
        token = page.token
        if not token:
            return


def _history(client: Any, run_id: str) -> Any:
    def load(key: str) -> pd.DataFrame:
        logged = client.get_metric_history(run_id, key)
        frame = pd.DataFrame({"step": [float(m.step) for m in logged],
                              "value": [float(m.value) for m in logged],
                              "time": [m.timestamp for m in logged]})
        # a step logged twice (a restart from a checkpoint): the later value stands
        frame = frame.sort_values(["step", "time"], kind="stable")
        return frame.drop_duplicates("step", keep="last")[["step", "value"]]

    return load
