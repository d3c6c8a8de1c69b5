"""The ``arch`` commands: the parameters and FLOPs per token of a transformer's shape, and the
published shapes (presets)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from . import common as c

app = typer.Typer(
    help="Parameters and FLOPs per token of a transformer's shape.\n\n"
    "Examples:\n\n"
    "  scalinglaws arch count --preset llama2-7b\n\n"
    "  scalinglaws arch count --layers 32 --d-model 4096 --heads 32 --kv-heads 8 --d-ff 14336 "
    "--vocab 32000 --experts 8 --active 2 --gated --rmsnorm --json\n\n"
    "  scalinglaws arch presets",
    no_args_is_help=True,
    rich_markup_mode=None,
)

def count_command(
    preset: Annotated[str | None, typer.Option(
        "--preset", help="A published shape (scalinglaws arch presets); the other options "
        "change it.")] = None,
    layers: Annotated[int | None, typer.Option("--layers", help="Layers.")] = None,
    d_model: Annotated[int | None, typer.Option("--d-model", help="Width.")] = None,
    heads: Annotated[int | None, typer.Option("--heads", help="Attention heads.")] = None,
    kv_heads: Annotated[int | None, typer.Option(
        "--kv-heads", help="Key-value heads (GQA, MQA; default: --heads).")] = None,
    d_ff: Annotated[int | None, typer.Option(
        "--d-ff", help="MLP width (default 4 d_model; gated: 8/3 d_model rounded up to a "
        "multiple of 256).")] = None,
    vocab: Annotated[int | None, typer.Option("--vocab", help="Vocabulary size.")] = None,
    experts: Annotated[int | None, typer.Option(
        "--experts", help="Experts per layer (mixture of experts).")] = None,
    active: Annotated[int | None, typer.Option(
        "--active", help="Experts each token uses (top-k).")] = None,
    ctx: Annotated[int | None, typer.Option(
        "--ctx", help="Context length (default 2048).")] = None,
    gated: Annotated[bool | None, typer.Option(
        "--gated/--no-gated", help="Gated MLP (SwiGLU, GeGLU): 3 matrices.")] = None,
    tied: Annotated[bool | None, typer.Option(
        "--tied/--untied", help="Input and output embeddings shared.")] = None,
    bias: Annotated[bool | None, typer.Option(
        "--bias/--no-bias", help="Biases in the linear layers.")] = None,
    rmsnorm: Annotated[bool | None, typer.Option(
        "--rmsnorm/--layernorm", help="RMSNorm (a weight) or LayerNorm (weight and bias; the "
        "default).")] = None,
    positional: Annotated[str | None, typer.Option(
        "--positional", help="rotary (no parameters; the default) | learned | relative.")
    ] = None,
    no_attention: Annotated[bool, typer.Option(
        "--no-attention", help="Leave the attention's context term out of the exact FLOPs.")
    ] = False,
    json_: c.JsonOpt = False, debug: c.DebugOpt = False,
) -> None:
    """The parameters (total, non-embedding, embedding, active per token) and FLOPs per token
    (training and forward; every matrix product, and 6N) of a transformer."""
    given = {"n_layers": layers, "d_model": d_model, "n_heads": heads, "n_kv_heads": kv_heads,
             "d_ff": d_ff, "vocab": vocab, "n_experts": experts, "experts_active": active,
             "n_ctx": ctx, "gated": gated, "tied": tied, "bias": bias,
             "norm": None if rmsnorm is None else ("rmsnorm" if rmsnorm else "layernorm"),
             "positional": positional}
    config = {k: v for k, v in given.items() if v is not None}
    with c.handled(debug):
        from ..arch.presets import build
        from ..arch.presets import preset as named

        shape = build(None if preset is None else named(preset), config)
        document = _document(shape, preset, attention=not no_attention)
    if json_:
        c.emit_json(document)
    else:
        _print(document)


def _document(shape: Any, preset: str | None, attention: bool) -> dict[str, Any]:
    flops = {mode: {"exact": shape.flops_per_token(training=mode == "training",
                                                   attention=attention),
                    "approx": shape.flops_per_token(training=mode == "training", exact=False)}
             for mode in ("training", "forward")}
    return {"preset": preset, "config": shape.to_dict(),
            "resolved": {"n_kv_heads": shape.kv_heads, "d_ff": shape.ff_dim,
                         "head_dim": shape.head_dim},
            "params": shape.params().to_dict(), "flops_per_token": flops,
            "attention": attention,
            "approx": "6N for training, 2N forward; N = active non-embedding parameters"}


def _print(document: dict[str, Any]) -> None:
    from rich.table import Table

    from ..common.numbers import readable

    params = Table(title=f"parameters of {document['preset'] or 'the transformer'}",
                   title_justify="left")
    params.add_column("count")
    params.add_column("value", justify="right")
    params.add_column("", justify="right")
    for key, value in document["params"].items():
        params.add_row(key.replace("_", "-"), f"{value:,}", readable(value))
    c.out.print(params)
    flops = Table(title="FLOPs per token", title_justify="left")
    for column in ("pass", "exact", "6N / 2N", "exact / approx"):
        flops.add_column(column, justify="left" if column == "pass" else "right")
    for mode, pair in document["flops_per_token"].items():
        flops.add_row(mode, readable(pair["exact"]), readable(pair["approx"]),
                      f"{pair['exact'] / pair['approx']:.3f}")
    c.out.print(flops)
    config = ", ".join(f"{k}={v}" for k, v in document["config"].items())
    c.out.print(c.escape(f"shape: {config}"), highlight=False)


def presets_command(json_: c.JsonOpt = False) -> None:
    """The published shapes that --preset names, with their parameters and sources."""
    from ..arch.presets import PRESETS, SOURCES

    rows: list[dict[str, Any]] = [
        {"name": name, "params": shape.params().total, "active": shape.params().active,
         "source": SOURCES[name], "config": shape.to_dict()}
        for name, shape in PRESETS.items()]
    if json_:
        c.emit_json({"presets": rows})
        return
    from rich.table import Table

    from ..common.numbers import readable

    shown = Table(title=f"{len(rows)} presets (scalinglaws arch count --preset NAME)",
                  title_justify="left")
    for column in ("name", "params", "active", "source"):
        shown.add_column(column, justify="right" if column in ("params", "active") else "left")
    for row in rows:
        shown.add_row(row["name"], readable(row["params"]), readable(row["active"]),
                      c.escape(row["source"]))
    c.out.print(shown)


app.command("count")(count_command)
app.command("presets")(presets_command)
