"""The forecast ledger: forecasts recorded before the big run (append-only: a correction is a
new forecast that supersedes the old one), outcomes observed when it lands, and the
scorecard of how well each law, recipe or tag predicted."""

from __future__ import annotations

import getpass
import hashlib
import json
import math
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..common.jsonvalues import json_value
from ..common.version import __version__
from ..common.warning import warn
from ..exceptions import DataError, OptionError
from .matching import Observed, match_forecasts
from .schema import fits as FITS
from .schema import forecasts as F
from .schema import observations as O
from .store import open_engine, resolve_url, retried


class Ledger:
    """A ledger of forecasts and their outcomes in a database: a SQLite file by default
    (``scalinglaws.db`` in the working folder, or ``$SCALINGLAWS_LEDGER``), any SQLAlchemy
    URL for a team (``postgresql+psycopg://user:pw@host/db``). Opening it creates or
    migrates the schema (Alembic); a ledger written by a newer version is refused.

    >>> import scalinglaws as sl, tempfile, pathlib
    >>> fit = sl.fit("chinchilla", sl.datasets.load("chinchilla").exclude("epoch_excluded"))
    >>> book = sl.ledger.Ledger(pathlib.Path(tempfile.mkdtemp()) / "forecasts.db")
    >>> f = book.record(fit, at={"params": 7e10, "tokens": 1.4e12}, run="chinchilla-70b")
    >>> book.observe(1.94, run="chinchilla-70b").matched == [f.id]
    True
    """

    def __init__(self, url: str | os.PathLike[str] | None = None) -> None:
        self.url = resolve_url(url)
        self._engine = open_engine(self.url)
        self._where = str(self._engine.url.render_as_string(hide_password=True))

    def __repr__(self) -> str:
        return f"<Ledger {self._where}: {self.count()} forecasts>"

    def count(self) -> int:
        """How many forecasts the ledger holds (superseded ones included)."""
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(F)).scalar_one())

    # -- writing ---------------------------------------------------------------------------
    def record(self, fit: Any, at: Mapping[str, Any], *, target: str | None = None,
               level: float | None = 0.9, kind: str = "auto", run: str | None = None,
               note: str | None = None, tags: Iterable[str] = (),
               supersedes: int | None = None, interval: bool = True,
               group: Any = None) -> Forecast:
        """Record the fit's forecast at the inputs ``at`` (one point: by column or symbol),
        with its ``level`` interval (``kind``: ``"auto"`` is calibrated when the fit carries
        a calibration, else the parameter-only interval of a new run). The fit's JSON, its
        data's fingerprint, the package version, the user and the time are kept with it.
        ``run`` names the run it forecasts (how :meth:`observe` finds it); ``supersedes``
        the id of a forecast this one corrects. A forecast without an interval is refused
        unless ``interval=False``. From a joint fit across groups, the forecast is its
        ``group``'s (or the group named in ``at`` by the fit's ``by`` column), tagged with
        it."""
        from ..fitting import predict

        if not isinstance(at, Mapping) or not at:
            raise OptionError("a forecast needs the inputs it is made at",
                              "argument 'at'", "e.g. at={'params': 7e10, 'tokens': 1.4e12}")
        fit, at, tags = _one_group(fit, at, group, tags)
        inputs = {str(k): _scalar(v, k) for k, v in at.items()}
        if interval and level is None:
            raise OptionError("a forecast without an interval was asked for, but the ledger "
                              "keeps intervals", "argument 'level'",
                              "give level=0.9 (or another), or interval=False to record the "
                              "point alone")
        predicted = predict(fit, inputs, level=level if interval else None, kind=kind)
        point = float(predicted.values)
        if not math.isfinite(point):
            raise DataError("the fit's forecast at these inputs is not a finite number",
                            f"forecast at {inputs}", "check the inputs and their units")
        lower = _finite(predicted.lower) if interval else None
        upper = _finite(predicted.upper) if interval else None
        if interval and (lower is None or upper is None):
            raise DataError("the fit gives no finite interval at these inputs",
                            f"forecast at {inputs}",
                            "refit with a bootstrap or calibration (sl.calibrate), or record "
                            "with interval=False")
        tag_list = sorted({str(t) for t in tags})
        if supersedes is not None:  # a correction answers for the same run, same labels
            before = self._row(supersedes)
            run = run if run is not None else before["run"]
            tag_list = tag_list or json.loads(before["tags"])
        row = {
            "uid": uuid.uuid4().hex, "created_at": datetime.now(UTC), "user": _user(),
            "version": __version__, "law": fit.law.name, "formula": fit.law.formula,
            "target": target or fit.target, "inputs": json.dumps(inputs, sort_keys=True),
            "run": run, "point": point, "lower": lower, "upper": upper,
            "level": level if interval else None, "kind": predicted.kind if interval else None,
            "method": predicted.method if interval else None,
            "extrapolation": float(predicted.extrapolation),
            "fit_id": "",
            "fingerprint": fit.fingerprint, "dataset": fit.dataset, "note": note,
            "tags": json.dumps(tag_list), "supersedes": supersedes,
        }

        document = json.dumps(json_value(fit.to_dict()), allow_nan=False)
        row["fit_id"] = hashlib.sha256(document.encode()).hexdigest()

        def insert() -> int:
            with self._engine.begin() as conn:
                if supersedes is not None:
                    _check_exists(conn, supersedes)
                known = conn.execute(sa.select(FITS.c.id).where(FITS.c.id == row["fit_id"]))
                if known.first() is None:  # a race with another process is retried
                    conn.execute(FITS.insert().values(id=row["fit_id"], document=document))
                key = conn.execute(F.insert().values(**row)).inserted_primary_key
                return int(key[0]) if key else -1

        new_id = retried(insert, self._where)
        return Forecast.from_row({**row, "id": new_id})

    def observe(self, value: float, *, run: str | None = None,
                at: Mapping[str, Any] | None = None, target: str | None = None,
                rtol: float = 0.01, note: str | None = None) -> Observed:
        """Attach an outcome to the current forecasts it answers: those of ``run``, or, without
        a run, those made at inputs equal to ``at`` within ``rtol`` (relative). An outcome
        that matches no forecast is kept (unattached) and reported, never dropped."""
        return self.observe_many([{"value": value, "run": run, "at": at, "note": note}],
                                 target=target, rtol=rtol)

    def observe_from(self, data: Any, *, target: str = "loss", run: str | None = "run",
                     inputs: Sequence[str] | None = None, rtol: float = 0.01,
                     note: str | None = None) -> Observed:
        """Observe every row of a dataset (or DataFrame): its ``target`` column is the
        outcome, matched by its ``run`` column when the data have one, else by the
        ``inputs`` columns (default: the inputs the ledger's forecasts were made at)."""
        frame = data.to_frame() if hasattr(data, "to_frame") else pd.DataFrame(data)
        if target not in frame.columns:
            raise DataError(f"the data have no column '{target}' to observe",
                            f"columns: {', '.join(map(str, frame.columns))}",
                            "name the outcome column with target=")
        by_run = run is not None and run in frame.columns
        columns = list(inputs) if inputs is not None else self._input_names()
        missing = [c for c in columns if c not in frame.columns]
        if not by_run and (missing or not columns):
            raise DataError("the data name neither the runs nor the inputs of the forecasts",
                            f"columns: {', '.join(map(str, frame.columns))}",
                            f"give a '{run}' column, or the inputs {columns} (inputs=[...])")
        run_column = str(run) if by_run else None
        items = [{"value": float(row[target]),
                  "run": str(row[run_column]) if run_column is not None else None,
                  "at": None if by_run else {str(c): float(row[c]) for c in columns},
                  "note": note} for _, row in frame.iterrows()]
        return self.observe_many(items, target=target, rtol=rtol)

    def observe_many(self, items: Sequence[Mapping[str, Any]], *, target: str | None = None,
                     rtol: float = 0.01) -> Observed:
        """Observe several outcomes in one transaction (see :meth:`observe`)."""
        if not 0 <= rtol < 1:
            raise OptionError(f"rtol must be in [0, 1), got {rtol!r}", "argument 'rtol'",
                              "e.g. 0.01 for inputs equal within 1%")
        for item in items:
            if item.get("run") is None and not item.get("at"):
                raise OptionError("an observation needs the run it comes from or the inputs "
                                  "it was made at", "observe", "give run=... or at={...}")
            if not math.isfinite(float(item["value"])):
                where = item.get("run") or item.get("at")
                raise DataError(f"an observed value must be a finite number, got "
                                f"{item['value']!r}", f"observation of {where}",
                                "leave out runs that diverged")
        current = self.forecasts()

        def write() -> Observed:
            report = match_forecasts(current, items, target=target, rtol=rtol)
            now, user = datetime.now(UTC), _user()
            rows = [{"forecast_id": fid, "created_at": now, "user": user,
                     "target": tgt, "value": value, "run": run_name, "inputs": inputs_json,
                     "note": note} for fid, tgt, value, run_name, inputs_json, note in report.rows]
            with self._engine.begin() as conn:
                if rows:
                    conn.execute(O.insert(), rows)
            return report

        report = retried(write, self._where)
        if report.unmatched:
            warn(f"{len(report.unmatched)} observation(s) match no forecast and were kept "
                 f"unattached: {report.unmatched_text()}")
        return report

    # -- reading ---------------------------------------------------------------------------
    def forecasts(self, *, superseded: bool = False) -> pd.DataFrame:
        """The forecasts as a table (the current ones; ``superseded=True`` adds those a
        later forecast corrected, with a ``superseded_by`` column); ``fit_id`` names the fit
        (:meth:`fit_of`)."""
        with self._engine.connect() as conn:
            frame = pd.read_sql(sa.select(F).order_by(F.c.id), conn)
        later = frame.dropna(subset=["supersedes"])
        by = dict(zip(later["supersedes"].astype(int), later["id"], strict=True))
        frame["superseded_by"] = frame["id"].map(by).astype("Int64")
        frame["tags"] = frame["tags"].map(json.loads)
        frame["supersedes"] = frame["supersedes"].astype("Int64")
        return frame if superseded else frame[frame["superseded_by"].isna()].reset_index(
            drop=True)

    def observations(self) -> pd.DataFrame:
        """Every observation, attached (``forecast_id``) or not."""
        with self._engine.connect() as conn:
            frame = pd.read_sql(sa.select(O).order_by(O.c.id), conn)
        frame["forecast_id"] = frame["forecast_id"].astype("Int64")
        return frame

    def fit_of(self, forecast_id: int) -> Any:
        """The fit a forecast was made with, as a :class:`~scalinglaws.FitResult`."""
        from ..fitting import FitResult

        fit_id = self._row(forecast_id)["fit_id"]
        with self._engine.connect() as conn:
            document = conn.execute(sa.select(FITS.c.document)
                                    .where(FITS.c.id == fit_id)).scalar_one()
        return FitResult.from_dict(json.loads(document))

    def scorecard(self, by: str | Sequence[str] = "law") -> Any:
        """How well the forecasts that have an outcome did, per ``by`` (``"law"``, ``"tag"``,
        ``"dataset"``, ``"kind"``, ``"target"``, ``"user"``, ``"run"``...): see
        :class:`~scalinglaws.ledger.Scorecard`."""
        from .score import Scorecard

        return Scorecard.build(self.forecasts(), self.observations(), by)

    def _row(self, forecast_id: int) -> Mapping[str, Any]:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(F).where(F.c.id == forecast_id)).mappings().first()
        if row is None:
            raise OptionError(f"no forecast with id {forecast_id}", f"ledger {self._where}",
                              "list them with ledger.forecasts()")
        return dict(row)

    def _input_names(self) -> list[str]:
        names: set[str] = set()
        for text in self.forecasts()["inputs"]:
            names.update(json.loads(text))
        return sorted(names)


@dataclass(frozen=True)
class Forecast:
    """One recorded forecast (as :meth:`Ledger.record` returns it; the fit's JSON stays in
    the ledger: :meth:`Ledger.fit_of`)."""

    id: int
    uid: str
    created_at: datetime
    user: str
    version: str
    law: str
    formula: str
    target: str
    inputs: dict[str, float]
    run: str | None
    point: float
    lower: float | None
    upper: float | None
    level: float | None
    kind: str | None
    method: str | None
    extrapolation: float
    fit_id: str
    fingerprint: str
    dataset: str | None
    note: str | None
    tags: list[str]
    supersedes: int | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Forecast:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in row.items() if k in names}
        values["inputs"] = json.loads(values["inputs"])
        values["tags"] = json.loads(values["tags"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["created_at"] = self.created_at.isoformat()
        return dict(json_value(doc))

    def __repr__(self) -> str:
        interval = (f" [{self.lower:.4g}, {self.upper:.4g}] at {self.level:.0%}"
                    if self.lower is not None and self.upper is not None
                    and self.level is not None else "")
        return (f"<Forecast {self.id}: {self.law} {self.target} = {self.point:.5g}{interval} "
                f"at {self.inputs}>")


def forecast_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The forecasts of :meth:`Ledger.forecasts` as a header and rows of text."""
    header = ["id", "created", "law", "target", "inputs", "run", "forecast", "interval",
              "tags"]
    rows = []
    for r in table.to_dict("records"):
        interval = ("" if pd.isna(r["lower"]) else
                    f"[{r['lower']:.4g}, {r['upper']:.4g}] {r['level']:.0%}")
        rows.append([str(r["id"]), str(r["created_at"])[:19], str(r["law"]),
                     str(r["target"]), str(r["inputs"]), str(r["run"] or ""),
                     f"{r['point']:.5g}", interval, ",".join(r["tags"])])
    return header, rows


def _one_group(fit: Any, at: Mapping[str, Any], group: Any,
               tags: Iterable[str]) -> tuple[Any, dict[str, Any], list[str]]:
    """A joint fit's group's own fit, the inputs without the group and the tags with it."""
    from ..fitting import SharedFit

    inputs, labels = dict(at), [str(t) for t in tags]
    if not isinstance(fit, SharedFit):
        return fit, inputs, labels
    label = inputs.pop(fit.by, group)
    if label is None:
        raise OptionError(f"a joint fit across '{fit.by}' forecasts for one group",
                          "argument 'group'", f"name it: group=... or at={{'{fit.by}': ...}}")
    return fit.for_group(label), inputs, [*labels, f"{fit.by}={label}"]


def _check_exists(conn: sa.Connection, forecast_id: int) -> None:
    found = conn.execute(sa.select(F.c.id).where(F.c.id == forecast_id)).scalar()
    if found is None:
        raise OptionError(f"no forecast with id {forecast_id} to supersede", "supersedes",
                          "name the id of an existing forecast (ledger.forecasts())")


def _scalar(value: Any, name: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise OptionError(f"input {name} must be one number, got {value!r}", f"at[{name!r}]",
                          "record one forecast per point") from None
    if not math.isfinite(out) or out <= 0:
        raise OptionError(f"input {name} must be a positive number, got {value!r}",
                          f"at[{name!r}]", "e.g. params=7e10")
    return out


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container
        return "unknown"
