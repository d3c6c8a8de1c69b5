"""The mixture commands: ``fit --law mixture --domains``, ``mix optimise``, ``mix design``."""

from __future__ import annotations

import json

import pytest
from cli_runner import run
from mixcases import experiments, true_law

DOMAINS = "d0,d1,d2"


@pytest.fixture(scope="module")
def mix_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("mix") / "mix.csv"
    experiments(true_law(3, 0), 24, 0.01, 0).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def fit_file(mix_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "mix.json"
    run("fit", mix_csv, "--law", "mixture", "--domains", DOMAINS, "--out", out, "-q")
    return out


def test_fit_prints_the_mixture_document(mix_csv):
    doc = json.loads(run("fit", mix_csv, "--law", "mixture", "--domains", DOMAINS,
                         "--json").stdout)
    assert doc["law"] == "mixture" and doc["domains"] == ["d0", "d1", "d2"]
    assert set(doc["fits"]) == {"d0", "d1", "d2"}
    assert doc["selected"] in ("mixture", "log_linear")
    assert set(doc["selection"]["errors"]) == {"mixture", "log_linear"}


def test_optimise_prints_mixture_loss_and_interval(fit_file):
    doc = json.loads(run("mix", "optimise", fit_file, "--target", "d0=0.5,d1=0.5",
                         "--current", "d0=0.4,d1=0.3,d2=0.3", "--json").stdout)
    assert set(doc) >= {"mixture", "predicted_loss", "interval"}
    assert sum(doc["mixture"].values()) == pytest.approx(1.0)
    lo, hi = doc["interval"]
    assert lo < doc["predicted_loss"] < hi
    assert doc["predicted_loss"] <= doc["baselines"]["current"]["predicted_loss"]
    text = run("mix", "optimise", fit_file).stdout
    assert "optimised mixture" in text and "uniform" in text


def test_optimise_honours_bounds_and_caps(fit_file):
    doc = json.loads(run("mix", "optimise", fit_file, "--bounds", "d1=0.2:0.3",
                         "--available", "d2=1e9", "--tokens", "1e10", "--max-epochs", "1",
                         "--json").stdout)
    assert 0.2 - 1e-9 <= doc["mixture"]["d1"] <= 0.3 + 1e-9
    assert doc["mixture"]["d2"] <= 0.1 + 1e-9


def test_bad_input_exits_2_with_the_reason(mix_csv, fit_file, tmp_path):
    # a target domain absent from the data
    err = run("mix", "optimise", fit_file, "--target", "math=1", code=2).stderr
    assert "'math' has no validation loss" in err
    # an infeasible constraint set, the violated constraint named
    err = run("mix", "optimise", fit_file, "--bounds", "d0=0.7:1,d1=0.7:1", code=2).stderr
    assert "lower bounds sum to 1.4" in err
    # proportions not summing to one, the rows named
    bad = tmp_path / "bad.csv"
    text = mix_csv.read_text().splitlines()
    cells = text[2].split(",")
    cells[0] = str(float(cells[0]) + 0.2)
    bad.write_text("\n".join([text[0], text[1], ",".join(cells), *text[3:]]) + "\n")
    err = run("fit", bad, "--law", "mixture", "--domains", DOMAINS, code=2).stderr
    assert "do not sum to 1" in err and "row 1" in err
    err = run("fit", mix_csv, "--law", "chinchilla", "--domains", DOMAINS, code=2).stderr
    assert "--domains goes with --law mixture" in err


def test_design_proposes_mixtures(fit_file):
    doc = json.loads(run("mix", "design", DOMAINS, "--n", "6", "--json").stdout)
    assert len(doc["mixtures"]) == 6
    assert all(sum(m.values()) == pytest.approx(1.0) for m in doc["mixtures"])
    doc = json.loads(run("mix", "design", fit_file, "--n", "4", "--json").stdout)
    assert len(doc["mixtures"]) == 4


def test_mix_help_loads_no_library():
    import subprocess
    import sys

    code = ("import sys, json, scalinglaws\n"
            "before = set(sys.modules)\n"
            "from scalinglaws.cli.main import app\n"
            "try:\n"
            "    app(['mix', 'optimise', '--help'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(json.dumps(sorted(set(sys.modules) - before)))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    new = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not [m for m in new if m.startswith(("scalinglaws.mixing", "numpy", "scipy"))]
