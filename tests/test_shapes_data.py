"""``sl.data.from_shapes``: sizes counted from each run's transformer shape, in a declared
convention."""

from __future__ import annotations

import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import DataError, OptionError

SHAPE = {"n_layers": "layers", "d_model": "width", "n_heads": "heads", "vocab": 50257,
         "tied": True, "bias": True, "positional": "learned", "n_ctx": 1024}


@pytest.fixture()
def runs() -> pd.DataFrame:
    # GPT-2 small and medium shapes (Radford et al. 2019), trained on made-up budgets
    return pd.DataFrame({"layers": [12, 24], "width": [768, 1024], "heads": [12, 16],
                         "tokens": [3e9, 2e10], "loss": [3.3, 2.9],
                         "params": [124e6, 355e6]})


def test_counts_follow_the_shapes_and_the_convention_is_recorded(runs) -> None:
    total = sl.data.from_shapes(runs, SHAPE, count="with embeddings")
    # GPT-2 124M: 124,439,808 parameters with tied embeddings (the published count)
    assert total.params[0] == 124_439_808
    assert total.has("params_original")  # the column it replaced is kept
    bare = sl.data.from_shapes(runs, SHAPE)
    gpt2 = sl.arch.Transformer(n_layers=12, d_model=768, n_heads=12, vocab=50257, tied=True,
                               bias=True, positional="learned", n_ctx=1024)
    assert bare.params[0] == gpt2.params().non_embedding
    assert bare.flops[0] == pytest.approx(6 * bare.params[0] * 3e9)
    exact = sl.data.from_shapes(runs, SHAPE, flops="exact")
    assert exact.flops[0] == pytest.approx(gpt2.flops_per_token() * 3e9)
    text = str(exact)
    assert "from the shape: layers, width, heads, vocab=50257" in text
    assert "every matrix product" in text
    fit_text = " ".join(str(sl.fit("L0*N**(-a)", exact, columns={"N": "params"})).split())
    assert "Data convention: params: non-embedding (from the shape" in fit_text


def test_bad_shapes_and_options(runs) -> None:
    bad = runs.assign(heads=[12, 12])  # 1024 is not a multiple of 12
    with pytest.raises(DataError, match="row 1 is not a valid transformer shape"):
        sl.data.from_shapes(bad, SHAPE)
    with pytest.raises(OptionError, match="unknown shape field"):
        sl.data.from_shapes(runs, {**SHAPE, "depth": 3})
    with pytest.raises(OptionError, match="needs vocab"):
        sl.data.from_shapes(runs, {k: v for k, v in SHAPE.items() if k != "vocab"})
    with pytest.raises(OptionError, match="unknown count"):
        sl.data.from_shapes(runs, SHAPE, count="embedding")
    with pytest.raises(DataError, match="no column 'seen'"):
        sl.data.from_shapes(runs, SHAPE, tokens="seen")
