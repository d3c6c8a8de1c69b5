"""``sl.plan.configure``: concrete transformer shapes for a target size or budget."""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.exceptions import OptionError, QueryError
from scalinglaws.plan import Constraints, configure


@pytest.mark.parametrize("target", np.geomspace(1e8, 1e12, 9))
def test_valid_shapes_within_one_percent_from_1e8_to_1e12(target: float) -> None:
    found = configure(float(target))
    assert 1 <= len(found.options) <= 5
    for option in found.options:
        m = option.model
        assert abs(option.params / target - 1) <= 0.01
        assert m.d_model % 128 == 0 and m.d_model % m.n_heads == 0
        assert m.head_dim in (64, 128) and 32 <= m.d_model / m.n_layers <= 256
        assert option.params == m.params().non_embedding  # the count the target names
    # ranked by aspect ratio: the first is the nearest to 100 among those found
    aspects = [abs(np.log(o.aspect / 100)) for o in found.options]
    assert aspects == sorted(aspects)


def test_llama2_7b_is_among_the_shapes_for_its_size() -> None:
    llama = sl.arch.PRESETS["llama2-7b"]
    target = llama.params().total
    found = configure(target, count="total", top=50,
                      constraints=Constraints(vocab=32000, head_dims=(128,)))
    shapes = {(o.model.n_layers, o.model.d_model) for o in found.options}
    assert (32, 4096) in shapes  # LLaMA-2 7B's own shape, 6.74B parameters


def test_rank_by_flops_and_by_a_shape_law() -> None:
    by_flops = configure(1e9, rank="flops", top=20)
    per_token = [o.flops_per_token for o in by_flops.options]
    assert per_token == sorted(per_token)
    # a width/depth law fitted to runs where depth helps more than width (synthetic truth)
    rng = np.random.default_rng(0)
    width = rng.choice([512.0, 1024, 2048, 4096], 60)
    depth = rng.choice([8.0, 16, 32, 64], 60)
    loss = 1.8 + 40 * width ** -0.5 + 6 * depth ** -0.6
    runs = {"width": width, "depth": depth, "loss": loss * np.exp(rng.normal(0, 1e-3, 60))}
    import pandas as pd

    law = sl.fit("E + A*W**(-a) + B*L**(-b)", pd.DataFrame(runs),
                 columns={"W": "width", "L": "depth"})
    ranked = configure(1e9, rank="loss", shape_law=law, top=20)
    losses = [o.predicted_loss for o in ranked.options]
    assert losses == sorted(losses) and ranked.best.predicted_loss is not None
    assert ranked.best.model.n_layers >= by_flops.best.model.n_layers


def test_a_budget_and_a_fit_give_the_compute_optimal_size(chinchilla_fit) -> None:
    found = configure(flops=5.76e23, fit=chinchilla_fit)
    plan = sl.plan.compute_optimal(chinchilla_fit, 5.76e23)
    assert found.target == pytest.approx(float(plan.params[0]))
    assert found.tokens == pytest.approx(float(plan.tokens[0]))
    assert abs(found.best.error) <= 0.01


def test_bad_targets_and_constraints() -> None:
    with pytest.raises(QueryError, match="nearest is"):
        configure(3e8, tolerance=0.0001, constraints=Constraints(multiple=1024))
    with pytest.raises(OptionError, match="one target"):
        configure()
    with pytest.raises(OptionError, match="needs a fit"):
        configure(flops=1e23)
    with pytest.raises(OptionError, match="shape law"):
        configure(1e9, rank="loss")
    with pytest.raises(OptionError, match="unknown count"):
        configure(1e9, count="embedding")
    with pytest.raises(OptionError, match="aspect band"):
        configure(1e9, constraints=Constraints(aspect=(300, 100)))
    # more key-value heads than any shape of this size has heads: no shape
    with pytest.raises(QueryError, match="no transformer shape"):
        configure(1e9, constraints=Constraints(kv_heads=4096))


def test_cli_plan_with_config(tmp_path, chinchilla_fit) -> None:
    path = tmp_path / "fit.json"
    chinchilla_fit.save(path)
    doc = json.loads(run("plan", path, "--flops", "1e23", "--config", "--json").stdout)
    assert {"params", "tokens", "config"} <= set(doc)
    config = doc["config"]
    assert abs(config["params"] / doc["params"] - 1) <= 0.01
    assert config["d_model"] % config["n_heads"] == 0
    text = run("plan", path, "--flops", "1e23", "--config").stdout
    assert "configurations for" in text
    refused = run("plan", path, "--loss", "2.0", "--config", code=2)
    assert "--config goes with --flops" in refused.stderr
