"""The registry's entries: every public sweep the package knows by name, with its file's
checksum, licence, origin and citation. Data are facts; each entry cites where they come
from. A table whose source carries an open licence is bundled (compressed, byte for byte the
prepared file); a table whose source carries none is never bundled and is read from its
original location (or a mirror: ``SCALINGLAWS_DATA_URL``) on first use
(``docs/decisions.md``, "The dataset registry")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: the licences whose terms allow the package to carry a copy (with the licence text)
OPEN_LICENCES = ("Apache-2.0", "MIT")
_NO_LICENCE = "none (the source repository has no licence file)"


@dataclass(frozen=True)
class Entry:
    """One named table of the registry.

    ``folder``/``file`` place it in a mirror's layout; ``sha256`` and ``size`` pin its bytes;
    ``url`` is the original file at a pinned commit when it is the same bytes (None when the
    table is derived from the original's files); ``bundled`` names the package's copy;
    ``columns`` maps roles to the table's columns when the table names them differently;
    ``renames`` moves a column named like a role out of the way when it does not hold for
    every row (old -> new name); ``where`` keeps the rows no fit can use out (a pandas query,
    said in the description)."""

    name: str
    folder: str
    file: str
    sha256: str
    size: int
    rows: int
    description: str
    citation: str
    licence: str
    origin: str
    url: str | None = None
    bundled: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    renames: Mapping[str, str] = field(default_factory=dict)
    where: str | None = None

    @property
    def source(self) -> str:
        """How the table is obtained: 'bundled', 'download' (from its original location) or
        'mirror' (only from a copy the user names: the source is not redistributed here)."""
        if self.bundled:
            return "bundled"
        return "download" if self.url else "mirror"


_EPOCH = ("Hoffmann et al., 'Training Compute-Optimal Large Language Models', 2022, "
          "arXiv:2203.15556; points extracted by Besiroglu, Erdil, Barnett, You, 'Chinchilla "
          "Scaling: A replication attempt', 2024, arXiv:2404.10102 "
          "(github.com/epoch-research/analyzing-chinchilla, data/svg_extracted_data.csv, "
          "commit 9225883).")
_MISFIT = ("Li, Kudugunta, Zettlemoyer, '(Mis)Fitting Scaling Laws: A Survey of Scaling Law "
           "Fitting Techniques in Deep Learning', ICLR 2025, arXiv:2502.18969 "
           "(github.com/hadasah/scaling_laws, data/scaling_results.csv, commit 1f3708c).")
_BNSL = ("Caballero, Gupta, Rish, Krueger, 'Broken Neural Scaling Laws', 2022, arXiv:2210.14891 "
         "(github.com/ethancaballero/broken_neural_scaling_laws, "
         "fit_bnsl_and_extrapolate__4_digit_addition__dataset_size_x-axis.py, commit ffa608f).")
_OBS = ("Ruan, Maddison, Hashimoto, 'Observational Scaling Laws and the Predictability of "
        "Language Model Performance', 2024, arXiv:2405.10938 (github.com/ryoungj/ObsScaling, "
        "eval_results/, commit 4d6e1e4).")
_OLMO = ("Bhagia et al., 'Establishing Task Scaling Laws via Compute-Efficient Model Ladders', "
         "2024, arXiv:2412.04403 (github.com/allenai/OLMo-ladder, "
         "src/scripts/paper/data/ladder-runs/, commit 67a3f44).")
_HITCH = ("Choshen, Zhang, Andreas, 'A Hitchhiker's Guide to Scaling Law Estimation', ICML 2025, "
          "arXiv:2410.11840 (github.com/IBM/ColPret, commit 16f23bb); GPT-3 curves from Brown "
          "et al. 2020, OPT from Xia et al. 2022, LLM360, RedPajama-INCITE, ModuleFormer.")
_GADRE = ("Gadre et al., 'Language models scale reliably with over-training and on downstream "
          "tasks', 2024, arXiv:2403.08540 (github.com/mlfoundations/scaling, exp_data/, "
          "commit a003c49).")
_STEP = ("Li et al., 'Predictable Scale: Part I -- Optimal Hyperparameter Scaling Law in Large "
         "Language Model Pretraining', 2025, arXiv:2503.04715 (github.com/step-law/steplaw, "
         "data/, commit 32a8f4c).")
_ROUTE = ("Clark et al., 'Unified Scaling Laws for Routed Language Models', ICML 2022, "
          "arXiv:2202.01169 (github.com/google-deepmind/scaling_laws_for_routing, "
          "data/curves.csv.gz, commit 42da0c3).")
_REVISIT = ("Alabdulmohsin, Neyshabur, Zhai, 'Revisiting Neural Scaling Laws in Language and "
            "Vision', NeurIPS 2022, arXiv:2209.06640 (github.com/google-research/"
            "google-research, revisiting_neural_scaling_laws/data/; copy from IBM/ColPret "
            "aggregated_eval/, commit 16f23bb).")
_PORIAN = ("Porian et al., 'Resolving Discrepancies in Compute-Optimal Scaling of Language "
           "Models', NeurIPS 2024, arXiv:2406.19146 (github.com/formll/"
           "resolving-scaling-law-discrepancies, data/summary_df*.pickle.xz, commit 0dc60d9).")
_STEP_URL = ("https://raw.githubusercontent.com/step-law/steplaw/"
             "32a8f4cc50247695fb56cc6c9117abdf67c97763/data/")

ENTRIES = (
    Entry("chinchilla", "chinchilla_epoch", "chinchilla.csv",
          "02f74ab6880a76251afcc8dd8a70995512f98d732ef0b394d041686db81f6818", 20464, 245,
          "245 training runs of Hoffmann et al. (2022), Figure 4, as extracted by Epoch AI: "
          "params, tokens (= flops / 6 N), flops, loss, epoch_excluded (the 5 highest-loss "
          "points Epoch excluded from every fit).",
          _EPOCH, "none (points measured off a published figure; see docs/decisions.md)",
          "epoch-research/analyzing-chinchilla@9225883 data/svg_extracted_data.csv (derived)",
          bundled="chinchilla.csv"),
    Entry("misfitting", "misfitting", "checkpoints.csv",
          "d06c5648339cdbfb5ad284bd6b10b376471c379718d6f68031eb3002af907565", 931990, 4238,
          "An open_lm sweep with intermediate checkpoints: 223 runs, 12M to 300M non-embedding "
          "parameters, several learning rates and token budgets per size (run, model, params, "
          "params_with_embedding, tokens, flops, loss, step, total_steps, planned_tokens, "
          "peak_lr, sweep, final).",
          _MISFIT, _NO_LICENCE,
          "hadasah/scaling_laws@1f3708c data/scaling_results.csv (derived)"),
    Entry("bnsl_addition", "bnsl_4digit_addition", "four_digit_addition.csv",
          "0c7b5c32a5546d4ebd633ecc34baa05add6d690e55b8a7246a43805a9acef276", 413, 17,
          "Broken Neural Scaling Laws, Figure 4 (left): 4-digit addition test cross-entropy "
          "against dataset size; the first 14 points fit, the last 3 are extrapolated "
          "(dataset_size, test_cross_entropy, split).",
          _BNSL, _NO_LICENCE,
          "ethancaballero/broken_neural_scaling_laws@ffa608f (the arrays of the script)"),
    Entry("observational", "observational", "base_llm_benchmark_eval.csv",
          "511996815735a4c46251dc585dcc525e370d148201f86561e6f927f9df2d0db8", 28155, 148,
          "148 public base models: family, size (billions), pretraining tokens (trillions), "
          "FLOPs (1e21) and 8 benchmark scores (MMLU, ARC-C, HellaSwag, Winograd, TruthfulQA, "
          "GSM8K, XWinograd, HumanEval).",
          _OBS, "Apache-2.0", "ryoungj/ObsScaling@4d6e1e4 eval_results/base_llm_benchmark_eval.csv",
          bundled="observational.csv.xz"),
    Entry("observational_emergent", "observational", "base_llm_emergent_capability_eval.csv",
          "a156beee73c39b7833c3c53535c473939105512d85e90b0143be7325e516ef7c", 7984, 84,
          "BIG-Bench tasks of the emergence analyses (arithmetic, word unscrambling, IPA "
          "transliteration, Persian QA) for public base models.",
          _OBS, "Apache-2.0",
          "ryoungj/ObsScaling@4d6e1e4 eval_results/base_llm_emergent_capability_eval.csv",
          bundled="observational_emergent.csv.xz"),
    Entry("observational_leaderboard", "observational", "base_llm_leaderboard_v2_eval.csv",
          "ace728c962dfb2b9133fe92081c818e3fba01391694c9590fa0198f850062563", 10098, 72,
          "Open LLM Leaderboard v2 scores of public base models.",
          _OBS, "Apache-2.0",
          "ryoungj/ObsScaling@4d6e1e4 eval_results/base_llm_leaderboard_v2_eval.csv",
          bundled="observational_leaderboard.csv.xz"),
    Entry("olmo_ladder", "olmo_ladder", "olmo_ladder.csv",
          "ddb9964b2f73c82f973a3699fad8c5dbf338c15bc3511982faa8edef05d08251", 1353201, 3947,
          "OLMo model-ladder evaluation curves, 190M to 3B at 0.5x to 10x Chinchilla tokens, "
          "with the 7B and 13B targets: one row per run and evaluation step (run_id, size, "
          "params, step, tokens, flops, lr, validation losses loss_c4_en, loss_pile, ...). "
          "Only a run's last row is fully decayed. Loaded without the 2 evaluations at "
          "step 0 (no tokens yet); the learning rate, absent for the 7B/13B rows, is "
          "'learning_rate' (map it with columns={'lr': 'learning_rate'}).",
          _OLMO, "Apache-2.0", "allenai/OLMo-ladder@67a3f44 ladder-runs/*.csv (derived)",
          bundled="olmo_ladder.csv.xz", renames={"lr": "learning_rate"}, where="tokens > 0"),
    Entry("hitchhiker", "hitchhiker_colpret", "hitchhiker_colpret.csv",
          "d8499f0c71680231f7f647d5e22d24e24739fe1e81598ba54742d2412cab5153", 9477146, 56662,
          "Part of the Hitchhiker's Guide data release, long format (one row per model, "
          "checkpoint and metric): GPT-3 (8 sizes), OPT, LLM360 Mamba (with its learning "
          "rate), RedPajama-INCITE, ModuleFormer (family, model, params, tokens, flops, "
          "train_step, learning_rate, metric, value, loss_nats). The source's step and lr, "
          "given for some families only, are 'train_step' and 'learning_rate' here.",
          _HITCH, "MIT", "IBM/ColPret@16f23bb (derived)", bundled="hitchhiker.csv.xz",
          renames={"step": "train_step", "lr": "learning_rate"}),
    Entry("gadre", "gadre_overtraining", "losses.csv",
          "6974604aaab431f1f239b7fbf2b5be76e68d2ff0ffc5d4eb9d0642934c54d786", 205531, 832,
          "104 over-trained open_lm models (10.6M to 6.9B parameters, 5 to 640 tokens per "
          "parameter, 3 training sets) on 8 evaluation sets: params, tokens, flops, "
          "tokens_per_param, eval_set, loss, with 95% intervals.",
          _GADRE, "MIT", "mlfoundations/scaling@a003c49 exp_data/ (derived)",
          bundled="gadre.csv.xz"),
    Entry("gadre_downstream", "gadre_overtraining", "downstream.csv",
          "525f434df845bf7b13f97f64349cdb66dd014a0a40dba76edc71f38f595b89ed", 772586, 4784,
          "The same 104 models on 46 downstream tasks: task, accuracy, top1_error, "
          "in_17_task_subset.",
          _GADRE, "MIT", "mlfoundations/scaling@a003c49 exp_data/evals/ (derived)",
          bundled="gadre_downstream.csv.xz"),
    Entry("steplaw", "steplaw", "dense_lr_bs_loss.csv",
          "9e46181076c04d450294d75dfe6f72adc416e231e154a07b337e378f9410002c", 344476, 1911,
          "Step Law's dense grid: 1,911 runs over learning rate and batch size for 5 sizes "
          "(214M to 1.07B) and 15 token budgets (4B to 100B): N, D, lr, bs (sequences of "
          "2,048 tokens), final loss, smooth loss.",
          _STEP, _NO_LICENCE, "step-law/steplaw@32a8f4c data/dense_lr_bs_loss.csv",
          url=_STEP_URL + "dense_lr_bs_loss.csv",
          columns={"params": "N", "tokens": "D"}),
    Entry("steplaw_moe", "steplaw", "moe_lr_bs_loss.csv",
          "653d585244a7b227423007e8b796bc16d76f6d24eb87b1919b8f048a91897b92", 232920, 708,
          "Step Law's mixture-of-experts grid: 708 runs with total (N) and active (Na) "
          "parameters, experts, top-k, learning rate, batch size and final loss.",
          _STEP, _NO_LICENCE, "step-law/steplaw@32a8f4c data/moe_lr_bs_loss.csv",
          url=_STEP_URL + "moe_lr_bs_loss.csv",
          columns={"params": "Na", "tokens": "D"}),
    Entry("steplaw_fits", "steplaw", "1004_fitted_lr_bs_scaling_model_parameters.csv",
          "2252afbba5530e6ba6167e8101bd2b9082a018a58cb5922cc8672891a7f4336c", 97581, 1000,
          "1,000 bootstrap fits of Step Law: lr = exp(lr_intercept) N^lr_coefN D^lr_coefD, "
          "bs = exp(bs_intercept) D^bs_coefD.",
          _STEP, _NO_LICENCE,
          "step-law/steplaw@32a8f4c data/1004_fitted_lr_bs_scaling_model_parameters.csv",
          url=_STEP_URL + "1004_fitted_lr_bs_scaling_model_parameters.csv"),
    Entry("routing", "routing_deepmind", "curves.csv",
          "a93902c7cc30ff44e8aac701ee3a8ffec33be3417a85abefa88f7d4c8a50973d", 1176078, 5799,
          "Routed language models: 223 settings (1 to 512 experts; Dense, Hash, S-Base, RL-R "
          "routers; 15M to 1.3B dense sizes) evaluated every 10,000 steps to 250,000: hyper_id, "
          "step, loss_validation and 5 other losses, num_experts, router_type, "
          "dense_parameter_count, flops_per_step.",
          _ROUTE, "Apache-2.0",
          "google-deepmind/scaling_laws_for_routing@42da0c3 data/curves.csv.gz (decompressed)",
          bundled="routing.csv.xz"),
    Entry("revisiting_lang", "revisiting_scaling_benchmark", "benchmark.lang.csv",
          "63c346db00a66b692e1ea9a0f71a2f2b267e55f74be5b863a92e199dffbf0983", 82032, 1399,
          "The extrapolation benchmark's language curves (NMT, LM, BIG-bench; 20 curves): "
          "Domain, Task, Model, Seen Examples, Loss, Training (1 fit, 0 held out).",
          _REVISIT, "Apache-2.0", "IBM/ColPret@16f23bb aggregated_eval/revisiting_lang.csv",
          bundled="revisiting_lang.csv.xz"),
    Entry("revisiting_vision", "revisiting_scaling_benchmark", "benchmark.vision.csv",
          "23b00692d71e58aa5a2a941e831d57688e0977fdcf5f5125ff7b64283b5d9e83", 993655, 18883,
          "The extrapolation benchmark's image-classification curves (72 curves), same "
          "columns as revisiting_lang.",
          _REVISIT, "Apache-2.0", "IBM/ColPret@16f23bb aggregated_eval/revisiting_vision.csv",
          bundled="revisiting_vision.csv.xz"),
    Entry("porian_isoflop", "porian_isoflop", "isoflop_points.csv",
          "bd2c201327b891c2e6e8909da8089cc355952a0408b1908bee8fd2bb802972b2", 220996, 1745,
          "IsoFLOP points of Porian et al. per configuration (dataset, hparams, warmup, decay, "
          "param_count): flops (budget), params, tokens, loss.",
          _PORIAN, "MIT", "formll/resolving-scaling-law-discrepancies@0dc60d9 (derived)",
          bundled="porian_isoflop.csv.xz"),
    Entry("porian_optimal", "porian_isoflop", "optimal_points.csv",
          "b7e3ce7038870d0cf142f54c60a7357137450ab9d1f15bcd514146ef0834afe0", 40984, 177,
          "Per configuration and budget, the fitted compute-optimal n_star, t_star, loss_star "
          "and their bootstrap standard deviations.",
          _PORIAN, "MIT", "formll/resolving-scaling-law-discrepancies@0dc60d9 (derived)",
          bundled="porian_optimal.csv.xz"),
    Entry("porian_fits", "porian_isoflop", "fits.csv",
          "d4d0d5e3380c382a8a161ca66f7dd3fcfb7ce18d4944b148e03f9b550ee19a5b", 13706, 30,
          "The repository's power-law fits per configuration: n_exponent (a in N* ~ C^a), "
          "t_exponent, L* = E + A C^-alpha, with 95% bootstrap intervals.",
          _PORIAN, "MIT", "formll/resolving-scaling-law-discrepancies@0dc60d9 (derived)",
          bundled="porian_fits.csv.xz"),
)
