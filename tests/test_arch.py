"""sl.arch: parameter and FLOP accounting of transformer shapes, checked against published
counts (each number's source beside it) and Kaplan et al.'s Table 1; its checks; the
``scalinglaws arch`` commands."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.arch import PRESETS, ParamCount, Transformer, convention_table, count, preset

# -- published parameter counts -------------------------------------------------------------------

#: preset -> (published total, source). Headline sizes ("7B") are rounded; these are the
#: counts of the released checkpoints, or the paper's own figure where no checkpoint is public
PUBLISHED = {
    # Hugging Face openai-community/gpt2, the released checkpoint (the GPT-2 paper's Table 2
    # says 117M, an earlier count of the same model)
    "gpt2-124m": (124_439_808, "released gpt2 checkpoint"),
    # Hugging Face openai-community/gpt2-xl (GPT-2 paper, Table 2: "1542M")
    "gpt2-1.5b": (1_557_611_200, "released gpt2-xl checkpoint"),
    # Hugging Face meta-llama/Llama-2-7b-hf, "6.74B params" (Touvron et al. 2023, Table 1: 7B)
    "llama2-7b": (6_738_415_616, "released Llama-2-7b checkpoint"),
    # meta-llama/Llama-2-13b-hf, "13B params" (Touvron et al. 2023, Table 1: 13B)
    "llama2-13b": (13_015_864_320, "released Llama-2-13b checkpoint"),
    # meta-llama/Llama-2-70b-hf, "69B params" (Touvron et al. 2023, Table 1: 70B, GQA)
    "llama2-70b": (68_976_648_192, "released Llama-2-70b checkpoint"),
    # Hoffmann et al. 2022, Table 4 and the abstract: Chinchilla, 70B parameters
    "chinchilla-70b": (70_000_000_000, "Chinchilla paper, Table 4"),
    # Jiang et al. 2024, Mixtral of Experts, section 2: 46.7B parameters, 12.9B active
    "mixtral-8x7b": (46_700_000_000, "Mixtral paper, section 2"),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_totals_match_published_counts_within_half_a_percent(name):
    published, _ = PUBLISHED[name]
    total = PRESETS[name].params().total
    assert abs(total - published) / published < 0.005, (name, total, published)


@pytest.mark.parametrize("name", ["gpt2-124m", "gpt2-1.5b", "llama2-7b", "llama2-13b",
                                  "llama2-70b"])
def test_released_checkpoints_are_counted_to_the_parameter(name):
    # the checkpoints' tensors, summed: no rounding to hide a missed bias or norm
    assert PRESETS[name].params().total == PUBLISHED[name][0]


def test_mixtral_total_and_active():
    # Jiang et al. 2024, section 2: "47B total, 13B active" (46.7B and 12.9B in the model card)
    p = PRESETS["mixtral-8x7b"].params()
    assert p.total == 46_702_792_704  # the released Mixtral-8x7B-v0.1 checkpoint
    assert abs(p.active - 12.9e9) / 12.9e9 < 0.005
    # two of eight experts: the six idle ones are what separates total from active
    t = PRESETS["mixtral-8x7b"]
    idle = t.n_layers * 6 * 3 * t.d_model * t.ff_dim
    assert p.total - p.active == idle


def test_chinchilla_70b_is_counted_with_gophers_relative_positions():
    # Hoffmann et al. 2022, Table 4: 80 layers, d_model 8192, 64 heads (kv size 128), vocab
    # 32,000 (section 4.1). 70B is reached with Transformer-XL's relative encoding (Gopher's:
    # a d_model x d_model position projection per layer) and one vocabulary matrix
    chinchilla = PRESETS["chinchilla-70b"]
    assert chinchilla.params().total == pytest.approx(70.06e9, rel=1e-3)
    # the plain 12 n_layer d_model² accounting falls 7.6% short of the published size
    plain = dataclasses.replace(chinchilla, positional="rotary").params().total
    assert (70e9 - plain) / 70e9 > 0.07


# Hoffmann et al. 2022, Table A9 (every model of the study): parameters (million), d_model,
# ffw_size, kv_size, n_heads, n_layers; the counts are given to the million
TABLE_A9 = [(44, 512, 2048, 64, 8, 8), (57, 576, 2304, 64, 9, 9), (74, 640, 2560, 64, 10, 10),
            (90, 640, 2560, 64, 10, 13), (106, 640, 2560, 64, 10, 16),
            (117, 768, 3072, 64, 12, 12), (251, 1024, 4096, 64, 16, 16)]


@pytest.mark.parametrize(("millions", "d", "ff", "kv", "heads", "layers"), TABLE_A9)
def test_chinchilla_table_a9_sizes_to_the_million(millions, d, ff, kv, heads, layers):
    assert kv * heads == d
    t = Transformer(n_layers=layers, d_model=d, n_heads=heads, d_ff=ff, vocab=32000,
                    tied=True, norm="rmsnorm", positional="relative")
    assert round(t.params().total / 1e6) == millions
    # without the relative position projections every row falls short by more than 4%
    plain = dataclasses.replace(t, positional="rotary").params().total
    assert plain / 1e6 < millions * 0.96


# Clark et al. 2022, Unified Scaling Laws for Routed Language Models: their released data
# (google-deepmind/scaling_laws_for_routing, data/curves.csv): d_model, blocks, heads,
# experts (every layer routed, routing_frequency 1), total_parameter_count (no embeddings,
# no final norm)
ROUTED = [(512, 8, 8, 1, 27_279_360), (1536, 12, 12, 1, 368_123_904),
          (2048, 24, 16, 1, 1_308_819_456), (512, 8, 8, 8, 144_752_640),
          (512, 8, 8, 64, 1_084_506_112), (512, 8, 8, 256, 4_306_518_016),
          (1536, 12, 12, 64, 14_638_325_760), (1536, 12, 12, 256, 58_128_408_576)]


@pytest.mark.parametrize(("d", "layers", "heads", "experts", "published"), ROUTED)
def test_routed_models_of_clark_et_al_to_the_parameter(d, layers, heads, experts, published):
    t = Transformer(n_layers=layers, d_model=d, n_heads=heads, vocab=32000,
                    n_experts=experts, positional="relative")
    final_norm = 2 * d  # a LayerNorm's weight and bias, which their count leaves out
    assert t.params().non_embedding - final_norm == published


# -- Kaplan et al. 2020, Table 1 ------------------------------------------------------------------
KAPLAN = Transformer(n_layers=24, d_model=1024, n_heads=16, vocab=50257, n_ctx=1024)


def test_each_flop_term_is_kaplans_table_1():
    L, d, d_attn, d_ff, n_ctx, V = 24, 1024, 1024, 4096, 1024, 50257
    terms = KAPLAN.flops_terms()
    assert terms["qkv"] == 2 * L * d * 3 * d_attn          # Attention: QKV
    assert terms["attention"] == 2 * L * n_ctx * d_attn    # Attention: Mask
    assert terms["attn_out"] == 2 * L * d_attn * d         # Attention: Project
    assert terms["mlp"] == 2 * L * 2 * d * d_ff            # Feedforward
    assert terms["unembedding"] == 2 * d * V               # De-embed
    assert terms["router"] == terms["relative"] == 0


def test_kaplans_n_and_c_forward():
    L, d, d_ff, n_ctx = 24, 1024, 4096, 1024
    n_kaplan = 2 * d * L * (2 * d + d_ff)                  # Table 1: N = 2 d L (2 d_attn + d_ff)
    assert n_kaplan == 12 * L * d**2
    parts = KAPLAN.param_terms()
    assert parts["attention"] + parts["mlp"] == n_kaplan
    # our non-embedding count adds the norms (Kaplan neglects them): 49 LayerNorms of 2 d
    assert KAPLAN.params().non_embedding - n_kaplan == (2 * L + 1) * 2 * d
    # C_forward = 2N + 2 n_layer n_ctx d_attn: the exact count less the de-embedding
    c_forward = 2 * n_kaplan + 2 * L * n_ctx * d
    exact = KAPLAN.flops_per_token(training=False)
    assert exact - KAPLAN.flops_terms()["unembedding"] == c_forward
    assert KAPLAN.flops_per_token(training=False, exact=False) == \
        2 * KAPLAN.params().non_embedding


def test_relative_positions_add_a_projection_and_position_scores():
    # Transformer-XL (Dai et al. 2019, section 3.3): keys of the positions, W_kR R, one
    # d_model x d_model product per layer and token, and the scores q · W_kR R over the causal
    # half of the context: half of Kaplan's term again
    t = PRESETS["chinchilla-70b"]
    L, d, n_ctx = 80, 8192, 2048
    terms = t.flops_terms()
    assert terms["relative"] == 2 * L * d * d
    assert terms["attention"] == 3 * L * n_ctx * d
    assert t.param_terms()["relative"] == L * d * d


def test_training_is_three_forward_passes():
    for exact in (True, False):
        assert KAPLAN.flops_per_token(exact=exact) == \
            3 * KAPLAN.flops_per_token(training=False, exact=exact)


def test_approximation_is_6n_of_the_active_non_embedding_parameters():
    mixtral = PRESETS["mixtral-8x7b"]
    p = mixtral.params()
    assert p.active_non_embedding == p.active - p.embedding == 12_617_781_248
    assert mixtral.flops_per_token(exact=False) == 6 * 12_617_781_248
    # attention does not enter the approximation
    assert mixtral.flops_per_token(exact=False, attention=False) == 6 * 12_617_781_248


def test_exact_counting_approaches_6n_as_models_grow():
    # a family at n_ctx 2048, 128 units of width per layer: the gap is the context term,
    # n_ctx / (12 d_model), and the de-embedding, n_vocab / (12 n_layer d_model)
    ratios = []
    for d in (512, 1024, 2048, 4096, 8192, 16384):
        t = Transformer(n_layers=d // 128, d_model=d, n_heads=d // 128, vocab=32000)
        ratios.append(t.flops_per_token() / t.flops_per_token(exact=False))
        # (norms, the rest of the non-embedding count, make the 6N side a little larger)
        expected = (1 + t.n_ctx / (12 * d) + t.vocab / (12 * t.n_layers * d)) * \
            (12 * t.n_layers * d**2) / t.params().non_embedding
        assert ratios[-1] == pytest.approx(expected, rel=1e-12)
    assert ratios == sorted(ratios, reverse=True)
    assert ratios[0] > 2.5        # d_model 512, 4 layers: exact is 2.6 x 6N
    assert ratios[-1] < 1.012     # d_model 16384, 128 layers: within 1.2%


def test_exact_counting_diverges_at_long_contexts():
    # LLaMA-2 7B's shape: 10% above 6N at its own 4096 tokens, 3.7 x at 128k
    ratio = {n: preset("llama2-7b", n_ctx=n).flops_per_token()
             / preset("llama2-7b", n_ctx=n).flops_per_token(exact=False)
             for n in (4096, 32768, 131072)}
    assert 1.09 < ratio[4096] < 1.11
    assert 1.6 < ratio[32768] < 1.75
    assert ratio[131072] > 3.5
    # the gap grows by the context term alone: 2 n_layer d_model per token of context
    t = PRESETS["llama2-7b"]
    step = (preset("llama2-7b", n_ctx=8192).flops_per_token(training=False)
            - t.flops_per_token(training=False))
    assert step == 2 * t.n_layers * t.d_model * 4096


def test_small_gpt2_spends_a_third_of_its_flops_outside_6n():
    t = PRESETS["gpt2-124m"]
    assert 1.5 < t.flops_per_token() / t.flops_per_token(exact=False) < 1.6


# -- defaults and the pieces of the count ---------------------------------------------------------
def test_defaults():
    t = Transformer(n_layers=2, d_model=4096, n_heads=32, vocab=1000)
    assert (t.ff_dim, t.kv_heads, t.head_dim, t.kv_dim) == (16384, 32, 128, 4096)
    # gated: 8/3 d_model rounded up to a multiple of 256, LLaMA's widths
    assert dataclasses.replace(t, gated=True).ff_dim == 11008
    assert Transformer(n_layers=2, d_model=5120, n_heads=40, vocab=10, gated=True).ff_dim == 13824
    assert t.to_dict()["d_ff"] is None  # the shape as given


def test_each_option_changes_the_count_by_its_own_part():
    base = Transformer(n_layers=4, d_model=256, n_heads=4, vocab=1000, n_ctx=512)
    p = base.params()
    assert dataclasses.replace(base, tied=True).params().total == p.total - 1000 * 256
    assert dataclasses.replace(base, positional="learned").params().embedding == \
        p.embedding + 512 * 256
    assert p.total - dataclasses.replace(base, norm="rmsnorm").params().total == 9 * 256
    # biases: 3 d (q, k, v) + d (output) + d_ff + d (MLP) per layer
    assert dataclasses.replace(base, bias=True).params().total - p.total == \
        4 * (4 * 256 + 1024 + 256)
    # gated: a third matrix d_model x d_ff per layer
    gated = dataclasses.replace(base, gated=True, d_ff=1024)
    assert gated.params().total - p.total == 4 * 256 * 1024
    # GQA: 2 of 4 key-value heads halve the keys and values
    gqa = dataclasses.replace(base, n_kv_heads=2)
    assert p.total - gqa.params().total == 4 * 2 * 256 * 128
    # experts: the MLP replicated, plus a router d_model x n_experts per layer
    moe = dataclasses.replace(base, n_experts=4, experts_active=2)
    mlp = 2 * 256 * 1024
    assert moe.params().total - p.total == 4 * (3 * mlp + 256 * 4)
    assert moe.params().active - p.total == 4 * (mlp + 256 * 4)


def test_param_count_is_a_frozen_record():
    p = count(n_layers=2, d_model=64, n_heads=2, vocab=100)
    assert isinstance(p, ParamCount)
    assert p.total == p.non_embedding + p.embedding
    assert p.to_dict() == {"total": p.total, "non_embedding": p.non_embedding,
                           "embedding": p.embedding, "active": p.active,
                           "active_non_embedding": p.non_embedding}
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.total = 0  # type: ignore[misc]


def test_count_takes_a_preset_and_changes():
    assert count("llama2-7b") == PRESETS["llama2-7b"].params()
    longer = count("gpt2-124m", n_ctx=2048)  # learned positions: 1024 more rows
    assert longer.total - PRESETS["gpt2-124m"].params().total == 1024 * 768
    assert preset("llama2-70b", n_layers=40).n_layers == 40


def test_numpy_integers_are_taken_as_ints():
    t = Transformer(n_layers=np.int64(2), d_model=np.int32(64), n_heads=2, vocab=100)
    assert type(t.n_layers) is int and type(t.params().total) is int


def test_package_is_public_and_lazy():
    assert sl.arch.Transformer is Transformer
    assert "arch" in dir(sl) and "arch" in sl.__all__


def test_convention_table_names_each_convention_and_its_source():
    table = convention_table()
    names = [row["convention"] for row in table]
    assert names[:3] == ["Kaplan: non-embedding", "6N", "Chinchilla"]
    assert all(set(row) == {"convention", "parameters", "flops_per_token", "attention",
                            "source", "here"} for row in table)
    kaplan = table[0]
    assert "2N + 2 n_layer n_ctx d_attn" in kaplan["flops_per_token"]
    assert "Table 1" in kaplan["source"]
    assert "Appendix F" in table[2]["source"]


# -- bad shapes -----------------------------------------------------------------------------------
GOOD = {"n_layers": 2, "d_model": 768, "n_heads": 12, "vocab": 100}


@pytest.mark.parametrize(("field", "value"), [
    ("n_layers", 0), ("d_model", -768), ("n_heads", 12.0), ("vocab", True), ("n_ctx", "2048"),
    ("n_experts", 0), ("experts_active", 0), ("d_ff", 0), ("n_kv_heads", -1)])
def test_counts_must_be_positive_integers(field, value):
    with pytest.raises(sl.OptionError, match=f"{field} must be a positive integer") as info:
        Transformer(**{**GOOD, field: value})
    assert info.value.where == f"argument '{field}'"


def test_flags_must_be_bools():
    with pytest.raises(sl.OptionError, match="gated must be True or False"):
        Transformer(**GOOD, gated="yes")  # type: ignore[arg-type]


def test_heads_must_divide_the_width():
    with pytest.raises(sl.OptionError) as info:
        Transformer(**{**GOOD, "d_model": 770})
    message = str(info.value)
    assert "770" in message and "12" in message and info.value.where == "argument 'n_heads'"
    # the nearest head counts that divide 770, and the nearest widths that 12 divides
    assert "11 (head size 70) or 14 (head size 55)" in message and "768 or 780" in message


def test_key_value_heads_must_divide_the_heads():
    with pytest.raises(sl.OptionError, match="Use 4 or 6 key-value heads") as info:
        Transformer(**GOOD, n_kv_heads=5)
    assert info.value.where == "argument 'n_kv_heads'"
    with pytest.raises(sl.OptionError, match="Use 12 key-value heads"):
        Transformer(**GOOD, n_kv_heads=24)


def test_active_experts_at_most_the_experts():
    with pytest.raises(sl.OptionError, match="cannot use 3 experts of 2") as info:
        Transformer(**GOOD, n_experts=2, experts_active=3)
    assert info.value.where == "argument 'experts_active'"


@pytest.mark.parametrize(("field", "value", "hint"), [
    ("norm", "rms_norm", "Did you mean 'rmsnorm'"),
    ("positional", "learnt", "Did you mean 'learned'"),
    ("positional", "alibi", "'rotary' for any scheme without parameters")])
def test_unknown_norm_or_positional_encoding(field, value, hint):
    with pytest.raises(sl.OptionError, match=f"unknown .*'{value}'") as info:
        Transformer(**GOOD, **{field: value})
    assert hint in str(info.value) and info.value.where == f"argument '{field}'"


def test_changes_are_checked_too():
    with pytest.raises(sl.OptionError, match="experts"):
        dataclasses.replace(PRESETS["mixtral-8x7b"], experts_active=9)


def test_count_refuses_unknown_and_missing_fields_and_presets():
    with pytest.raises(sl.OptionError, match="Did you mean 'n_layers'"):
        count(n_layer=2, d_model=64, n_heads=2, vocab=10)
    with pytest.raises(sl.OptionError, match="needs vocab"):
        count(n_layers=2, d_model=64, n_heads=2)
    with pytest.raises(sl.OptionError, match="Did you mean 'llama2-7b'"):
        count("llama-7b")


# -- the command line -----------------------------------------------------------------------------
def test_cli_count_by_options_is_mixtral():
    result = run("arch", "count", "--layers", 32, "--d-model", 4096, "--heads", 32,
                 "--kv-heads", 8, "--d-ff", 14336, "--vocab", 32000, "--experts", 8,
                 "--active", 2, "--gated", "--rmsnorm", "--ctx", 32768, "--json")
    doc = json.loads(result.stdout)
    assert doc["params"]["total"] == 46_702_792_704
    assert doc["params"]["active"] == 12_879_925_248
    mixtral = PRESETS["mixtral-8x7b"]
    assert doc["flops_per_token"]["training"] == {
        "exact": mixtral.flops_per_token(), "approx": 6 * 12_617_781_248}
    assert doc["flops_per_token"]["forward"]["approx"] == 2 * 12_617_781_248


def test_cli_preset_with_changes():
    doc = json.loads(run("arch", "count", "--preset", "llama2-7b", "--ctx", 8192,
                         "--json").stdout)
    assert doc["preset"] == "llama2-7b" and doc["config"]["n_ctx"] == 8192
    assert doc["params"]["total"] == 6_738_415_616
    assert doc["resolved"] == {"n_kv_heads": 32, "d_ff": 11008, "head_dim": 128}
    without = json.loads(run("arch", "count", "--preset", "llama2-7b", "--ctx", 8192,
                             "--no-attention", "--json").stdout)
    gap = doc["flops_per_token"]["forward"]["exact"] - without["flops_per_token"]["forward"][
        "exact"]
    assert gap == 2 * 32 * 8192 * 4096
    untied = json.loads(run("arch", "count", "--preset", "gpt2-124m", "--untied",
                            "--json").stdout)
    assert untied["params"]["total"] == 124_439_808 + 50257 * 768


def test_cli_count_prints_tables():
    result = run("arch", "count", "--preset", "gpt2-124m")
    assert "124,439,808" in result.stdout and "FLOPs per token" in result.stdout


def test_cli_presets():
    doc = json.loads(run("arch", "presets", "--json").stdout)
    assert [p["name"] for p in doc["presets"]] == list(PRESETS)
    assert "gpt2-124m" in run("arch", "presets").stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--layers", 2, "--d-model", 770, "--heads", 12, "--vocab", 10], "option --heads"),
    (["--preset", "llama2-7b", "--kv-heads", 5], "option --kv-heads"),
    (["--preset", "mixtral-8x7b", "--active", 9], "option --active"),
    (["--preset", "llama2-7b", "--layers", 0], "option --layers"),
    (["--preset", "llama2-7b", "--positional", "alibi"], "option --positional"),
    (["--preset", "llama-7b"], "Did you mean 'llama2-7b'"),
    (["--layers", 2, "--d-model", 64, "--heads", 2], "option --vocab")])
def test_cli_bad_shapes_exit_2_with_the_message(args, message):
    result = run("arch", "count", *args, "--json", code=2)
    assert message in result.stderr and result.stdout == ""


def test_cli_arch_help_loads_no_library():
    code = ("import sys\nfrom scalinglaws.cli.main import app\n"
            "try:\n    app(['arch', 'count', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.startswith('scalinglaws.arch')"
            " or m.split('.')[0] in ('numpy', 'pandas')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "LOADED []"
