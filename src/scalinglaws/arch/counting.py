"""Parameters and FLOPs of a transformer, term by term.

Parameters: the token embedding (``vocab x d_model``), the unembedding (another, unless tied),
learned positions (``n_ctx x d_model``); per layer the attention's query, key, value and output
matrices (keys and values ``n_kv_heads x head size`` wide), the MLP (2 matrices ``d_model x
d_ff``, 3 when gated) in each expert, a router (``d_model x n_experts``, for more than one
expert), two norms; a final norm. Biases, when present, on every linear layer but the
unembedding and the router. The embedding terms are the token embedding, the unembedding and
learned positions; the rest is non-embedding (Kaplan et al. 2020, section 2.1).

FLOPs per token of the forward pass: 2 per multiply-add of every matrix product (the
projections, the MLP of the active experts, the router, the unembedding) and Kaplan's attention
term ``2 n_layers n_ctx d_model`` for the scores and the weighted values. Additions of biases,
norms, softmax and the embedding lookup are not counted (each is O(d_model) per token).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .checks import NORMS
from .fields import Shape


@dataclass(frozen=True)
class ParamCount:
    """The parameters of a model: ``total = non_embedding + embedding``; ``active`` is what one
    token uses (with top-k routing, the experts it is not routed to are left out; the embeddings
    are in, as in the published "active parameters" of Mixtral)."""

    total: int
    non_embedding: int
    embedding: int
    active: int

    @property
    def active_non_embedding(self) -> int:
        """The non-embedding parameters one token uses: the N of ``C = 6 N`` for a mixture of
        experts (for a dense model, ``non_embedding``)."""
        return self.active - self.embedding

    def to_dict(self) -> dict[str, int]:
        """The four counts and ``active_non_embedding``, as plain ints."""
        return {**asdict(self), "active_non_embedding": self.active_non_embedding}


#: the parameter terms that make up the embedding count; the others are non-embedding
EMBEDDING_TERMS = ("embedding", "unembedding", "positional")


def param_terms(t: Shape) -> dict[str, int]:
    """The parameters of ``t`` by part (every expert counted)."""
    d, layers = t.d_model, t.n_layers
    return {
        "embedding": t.vocab * d,
        "unembedding": 0 if t.tied else t.vocab * d,
        "positional": t.n_ctx * d if t.positional == "learned" else 0,
        "attention": layers * _attention_layer(t),
        "relative": layers * d * d if t.positional == "relative" else 0,
        "mlp": layers * t.n_experts * expert_params(t),
        "router": layers * d * t.n_experts if t.n_experts > 1 else 0,
        "norms": (2 * layers + 1) * NORMS[t.norm] * d,
    }


def _attention_layer(t: Shape) -> int:
    d, kv = t.d_model, t.kv_dim
    weights = d * (d + 2 * kv) + d * d
    return weights + ((d + 2 * kv + d) if t.bias else 0)


def expert_params(t: Shape) -> int:
    """The parameters of one layer's MLP (one expert): 2 or, gated, 3 matrices, and their
    biases (``d_ff`` per input matrix, ``d_model`` for the output)."""
    inputs = 2 if t.gated else 1
    weights = (inputs + 1) * t.d_model * t.ff_dim
    return weights + ((inputs * t.ff_dim + t.d_model) if t.bias else 0)


def params(t: Shape) -> ParamCount:
    terms = param_terms(t)
    total = sum(terms.values())
    embedding = sum(terms[k] for k in EMBEDDING_TERMS)
    idle = t.n_layers * (t.n_experts - t.experts_active) * expert_params(t)
    return ParamCount(total=total, non_embedding=total - embedding, embedding=embedding,
                      active=total - idle)


def flops_terms(t: Shape, *, attention: bool = True) -> dict[str, int]:
    """The forward FLOPs per token of ``t`` by part (2 per multiply-add); ``attention``: with
    the context term (scores and weighted values, Kaplan's ``2 n_layers n_ctx d_model``; the
    relative encoding's position scores add half as much again)."""
    d, layers = t.d_model, t.n_layers
    context = 2 * layers * t.n_ctx * d
    if t.positional == "relative":
        context += layers * t.n_ctx * d
    return {
        "qkv": 2 * layers * d * (d + 2 * t.kv_dim),
        "attn_out": 2 * layers * d * d,
        "relative": 2 * layers * d * d if t.positional == "relative" else 0,
        "mlp": 2 * layers * t.experts_active * (3 if t.gated else 2) * d * t.ff_dim,
        "router": 2 * layers * d * t.n_experts if t.n_experts > 1 else 0,
        "unembedding": 2 * d * t.vocab,
        "attention": context if attention else 0,
    }


def flops_per_token(t: Shape, *, training: bool = True, attention: bool = True,
                    exact: bool = True) -> float:
    if exact:
        forward = float(sum(flops_terms(t, attention=attention).values()))
    else:
        forward = 2.0 * params(t).active_non_embedding
    return 3.0 * forward if training else forward
