"""``scalinglaws datasets``: the registry of public sweeps, one of them, or fetching them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from . import common as c

NameArg = Annotated[str | None, typer.Argument(
    metavar="[NAME]", help="A dataset of the registry: its description, citation and licence.")]
FetchOpt = Annotated[bool, typer.Option(
    "--fetch", help="Download the named dataset (or, without NAME, every one not bundled) into "
                    "the cache now, checksum verified.")]


def datasets_command(name: NameArg = None, fetch: FetchOpt = False, json_: c.JsonOpt = False,
                     debug: c.DebugOpt = False, quiet: c.QuietOpt = False) -> None:
    """List the registry of public sweeps that every command reads by name (fit misfitting
    ...), or describe one.

    Examples: scalinglaws datasets; scalinglaws datasets steplaw --fetch; scalinglaws fit
    olmo_ladder --law chinchilla --y loss_c4_en --last-by run_id
    """
    with c.handled(debug, quiet):
        from ..data import bundled
        from ..data import fetch as fetching

        if name is not None:
            entry = bundled.info(name)
            if fetch and not entry.bundled:
                fetching.fetch(entry)
            record = _record(entry)
            if json_:
                c.emit_json(record)
            else:
                for key, value in record.items():
                    c.out.print(f"[bold]{key}:[/] {c.escape(str(value))}", highlight=False)
            return
        if fetch:
            for entry_name in bundled.names():
                entry = bundled.info(entry_name)
                if entry.source == "download":
                    fetching.fetch(entry)
        table = bundled.list()
        if json_:
            c.emit_json({"datasets": table.to_dict("records"),
                         "cache": str(fetching.cache_dir())})
            return
        _print_table(table, str(fetching.cache_dir()))


def _record(entry: Any) -> dict[str, Any]:
    from ..data.fetch import cache_dir, is_cached

    available = bool(entry.bundled) or is_cached(entry)
    return {"name": entry.name, "rows": entry.rows, "source": entry.source,
            "available": available, "licence": entry.licence, "origin": entry.origin,
            "description": entry.description, "citation": entry.citation,
            "file": f"{entry.folder}/{entry.file}", "sha256": entry.sha256,
            "url": entry.url, "cache": str(cache_dir() / entry.folder / entry.file)}


def _print_table(table: Any, cache: str) -> None:
    from rich.table import Table

    shown = Table(title=f"{len(table)} datasets (read by name by every command)",
                  title_justify="left")
    for column in ("name", "rows", "source", "available", "licence"):
        shown.add_column(column, justify="right" if column == "rows" else "left")
    for row in table.itertuples():
        licence = str(row.licence).split(" (")[0]
        shown.add_row(row.name, f"{row.rows:,}", row.source, "yes" if row.available else "no",
                      licence)
    c.out.print(shown)
    c.out.print(f"download: fetched into {c.escape(cache)} on first use (SCALINGLAWS_CACHE); "
                "mirror: set SCALINGLAWS_DATA_URL to a copy (the source has no licence to "
                "re-host). More: scalinglaws datasets NAME", highlight=False)
