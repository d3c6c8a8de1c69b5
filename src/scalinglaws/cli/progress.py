"""A Rich progress bar on stderr, fed by the library's ``progress(done, total)`` callbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import common as c


@contextmanager
def progress_bar(label: str, total: int,
                 enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr (``None`` when disabled: under ``--quiet`` or ``--json``). It
    appears at the first report, so work that fails while checking its input draws no bar."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=c.err)
    task = bar.add_task(label, total=total)
    started = False

    def update(done: int, of: int) -> None:
        nonlocal started
        if not started:
            bar.start()
            started = True
        bar.update(task, completed=done, total=of)

    try:
        yield update
    finally:
        if started:
            bar.stop()
