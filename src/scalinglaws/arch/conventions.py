"""The conventions of parameter and FLOP accounting in the scaling-law literature, and which
of them each count of :mod:`scalinglaws.arch` follows."""

from __future__ import annotations

#: the columns of :func:`convention_table`
COLUMNS = ("convention", "parameters", "flops_per_token", "attention", "source", "here")

_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Kaplan: non-embedding",
     "N = 2 d_model n_layer (2 d_attn + d_ff) = 12 n_layer d_model² for d_ff = 4 d_model: the "
     "layers' weight matrices; token and position embeddings left out (biases and norms "
     "neglected)",
     "C_forward = 2N + 2 n_layer n_ctx d_attn; training C ≈ 6N (backward = 2 x forward, the "
     "context term dropped as d_model > n_ctx/12); embeddings add 4 d_model, the de-embedding "
     "2 d_model n_vocab, both left out",
     "2 n_layer n_ctx d_attn forward (Table 1's 'mask' row)",
     "Kaplan et al. 2020, Scaling Laws for Neural Language Models, Table 1 and section 2.1",
     "params().non_embedding (norms and biases included: < 0.1% at published sizes); "
     "flops_per_token(exact=False) = 6N"),
    ("6N",
     "N: non-embedding (Kaplan) or every parameter (Chinchilla); active parameters for a "
     "mixture of experts",
     "6N per token, C = 6ND for D tokens",
     "left out",
     "Kaplan et al. 2020, section 2.1; Hoffmann et al. 2022, section 3",
     "flops_per_token(exact=False) with N = params().active_non_embedding"),
    ("Chinchilla",
     "every parameter with the embedding matrix counted once (Table A9's sizes: 13 n_layer "
     "d_model² + n_vocab d_model with Gopher's relative positions; 70.1B for Chinchilla)",
     "C = 6ND in the fits; Appendix F's full count: embeddings as a product (2 n_vocab "
     "d_model), projections, attention, MLP, the final logits; backward = 2 x forward",
     "4 n_layer n_ctx d_attn forward (scores and weighted values over the whole context) plus "
     "the softmax",
     "Hoffmann et al. 2022, Training Compute-Optimal LLMs, Table A9, Appendix F",
     "params().total of the preset chinchilla-70b (positional='relative', tied=True)"),
    ("PaLM model FLOPs",
     "N: every parameter but the embeddings",
     "6N + 12 n_layer n_heads d_head n_ctx per token for training",
     "4 n_layer n_ctx d_model forward (the whole context, both products)",
     "Chowdhery et al. 2022, PaLM, Appendix B",
     "not computed: flops_per_token() + 6 n_layer n_ctx d_model with attention=True is the same"),
    ("exact (this library)",
     "total = embedding + non-embedding; embedding = token embedding, the unembedding when "
     "untied, learned positions; non-embedding = attention, relative-position projections, "
     "the MLP of every expert, routers, norms, biases",
     "2 x the multiply-adds of every matrix product: Q, K, V (n_kv_heads wide), output, the "
     "active experts' MLP, the router, the unembedding; training = 3 x forward; norms, "
     "softmax, biases and the embedding lookup not counted",
     "Kaplan's 2 n_layer n_ctx d_model forward (QKᵀ and the weighted values over the causal "
     "half of the context); 1.5 x that with relative positions (the position scores)",
     "Kaplan et al. 2020, Table 1, with every product counted",
     "flops_per_token() (exact=True); flops_terms() and param_terms() give each part"),
    ("active parameters (MoE)",
     "the parameters one token uses: every expert but the top-k routed ones left out; the "
     "embeddings are in (Mixtral's 12.9B of 46.7B)",
     "the MLP of experts_active experts, and the router (2 d_model n_experts)",
     "as dense",
     "Jiang et al. 2024, Mixtral of Experts, section 2",
     "params().active; params().active_non_embedding for 6N"),
)


def convention_table() -> list[dict[str, str]]:
    """The accounting conventions of the literature, one dict per convention with the keys of
    :data:`COLUMNS` (``pandas.DataFrame(convention_table())`` makes a table of it)."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in _ROWS]
