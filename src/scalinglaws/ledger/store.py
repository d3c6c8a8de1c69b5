"""Opening a ledger's database: the URL (a SQLite file by default, any SQLAlchemy URL), the
engine (SQLite in WAL mode with a busy timeout, so that processes writing at once wait rather
than fail), the schema brought to this package's revision by Alembic, and transactions retried
when another process holds the lock."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from ..exceptions import OptionError, ResultFileError
from .schema import HEAD

#: the environment variable naming the default ledger (a path or a SQLAlchemy URL)
LEDGER_ENV = "SCALINGLAWS_LEDGER"
#: the default ledger: a SQLite file in the working folder
DEFAULT_FILE = "scalinglaws.db"
_ATTEMPTS = 40
T = TypeVar("T")


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from what the user gave: a URL as it is, a path as a SQLite file;
    nothing: ``$SCALINGLAWS_LEDGER``, else ``scalinglaws.db`` in the working folder."""
    given = os.fspath(url) if url is not None else os.environ.get(LEDGER_ENV) or DEFAULT_FILE
    if "://" in given:
        return given
    return f"sqlite:///{Path(given).expanduser().resolve()}"


def open_engine(url: str) -> sa.Engine:
    """An engine for ``url`` whose schema is at this package's revision, or a clear error."""
    try:
        parsed = sa.engine.make_url(url)
    except sa_exc.ArgumentError as exc:
        raise OptionError(f"not a database URL: {url!r}", "option --db / Ledger(url)",
                          "give a path to a SQLite file, or a URL such as "
                          "postgresql+psycopg://user:password@host/dbname") from exc
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the maintained driver
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and parsed.database:
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise OptionError(f"the ledger's folder does not exist: {folder}",
                              f"database {parsed.database}", "create the folder first")
    try:
        engine = sa.create_engine(parsed, connect_args={"timeout": 60} if sqlite else {},
                                  pool_pre_ping=not sqlite)
    except ImportError as exc:
        raise OptionError(f"the database driver for {parsed.drivername} is not installed "
                          f"({exc.name})", f"URL {_safe(parsed)}",
                          "pip install 'scalinglaws[postgresql]' (psycopg) for PostgreSQL") \
            from exc
    if sqlite:
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    retried(lambda: _migrate(engine), _safe(parsed))
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _migrate(engine: sa.Engine) -> None:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("scalinglaws.ledger").joinpath("migrations")))
    script = ScriptDirectory.from_config(config)
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == HEAD:
        return
    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise ResultFileError(
            f"this ledger was written by a newer scalinglaws (schema revision {current}; this "
            f"version knows up to {HEAD})",
            f"database {_safe(engine.url)}",
            "upgrade scalinglaws (pip install -U scalinglaws) to read and write it")
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # one process migrates, the others wait
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7461001)"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def retried(work: Callable[[], T], where: str) -> T:
    """Run ``work`` (a whole transaction), again after a short random wait when the database
    is locked or a concurrent migration got there first; a database that cannot be reached is
    an OptionError naming it."""
    for attempt in range(_ATTEMPTS):
        try:
            return work()
        except sa_exc.OperationalError as exc:
            if _unreachable(exc):
                raise OptionError(f"cannot reach the ledger's database: {_first(exc)}",
                                  f"database {where}",
                                  "check the URL, that the server runs and accepts you, or "
                                  "the file's permissions") from None
            if attempt == _ATTEMPTS - 1:
                raise OptionError(f"the ledger's database stayed busy: {_first(exc)}",
                                  f"database {where}", "try again") from None
        except (sa_exc.IntegrityError, sa_exc.ProgrammingError) as exc:
            if attempt == _ATTEMPTS - 1:  # another process created the tables meanwhile
                raise OptionError(f"cannot write the ledger: {_first(exc)}",
                                  f"database {where}", "try again") from None
        time.sleep(0.02 + random.random() * 0.05 * (1 + attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def _unreachable(exc: sa_exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return not any(word in text for word in ("locked", "busy", "deadlock", "could not serialize",
                                               "already exists"))


def _first(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def _safe(url: Any) -> str:
    """The URL without its password."""
    return str(url.render_as_string(hide_password=True)) if hasattr(url, "render_as_string") \
        else str(url)
