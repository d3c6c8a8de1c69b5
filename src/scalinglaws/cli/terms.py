"""The library's messages in the command line's terms: ``argument 'train'`` becomes
``option --train``, ``columns={'params': 'COLUMN'}`` becomes ``--col params=COLUMN``, and the
Python-only half of a message that gives both is dropped."""

from __future__ import annotations

import re

#: library arguments whose command-line option is named otherwise
OPTIONS = {"columns": "--col", "n": "--bootstrap", "train": "--train", "data": "DATA",
           "law": "--law", "laws": "--laws", "by": "--by", "init": "the starts (Python only)",
           # the fields of a transformer's shape (scalinglaws arch count)
           "n_layers": "--layers", "n_heads": "--heads", "n_kv_heads": "--kv-heads",
           "n_experts": "--experts", "experts_active": "--active", "n_ctx": "--ctx",
           "norm": "--rmsnorm/--layernorm",
           # the measured steps of a step-time cost model (scalinglaws time fit)
           "measurements": "STEPS"}

_RULES: list[tuple[re.Pattern[str], str]] = [
    # "(Python: ...)" asides go; "(CLI: ...)" asides lose their label
    (re.compile(r"\s*\(Python: [^()]*\)"), ""),
    (re.compile(r"\(CLI: ([^()]*)\)"), r"(\1)"),
    (re.compile(r"columns=\{'([^']+)': '([^']+)'[^}]*\}"), r"--col \1=\2"),
    (re.compile(r"\bx='([^']+)'"), r"--x \1"),
    (re.compile(r"\blaws=\[[^\]]*\]"), "--laws chinchilla,kaplan"),
    (re.compile(r"\bbudgets='([^']+)'"), r"--budgets \1"),
    (re.compile(r"\bholdout='([^']+)'"), r"--holdout '\1'"),
    (re.compile(r"\btrain='([^']+)'"), r"--train '\1'"),
    (re.compile(r"frame\['(\w+)'\] \*= 1e9"), r"multiply the \1 column by 1e9 in your file"),
    # the axes of an estimation-design study (scalinglaws study)
    (re.compile(r"grid\['max_size'\]"), "option --max-sizes"),
    (re.compile(r"grid\['fraction'\]"), "option --fractions"),
    (re.compile(r"\bargument 'n_models'"), "option --n-models"),
]
_ARGUMENT = re.compile(r"\bargument '(\w+)'(?: of \w+)?")


def option_name(argument: str) -> str:
    """The command-line option of a library argument."""
    return OPTIONS.get(argument, "--" + argument.replace("_", "-"))


def cli_terms(text: str | None) -> str | None:
    """``text`` with the library's argument names and Python forms in CLI terms."""
    if not text:
        return text
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return _ARGUMENT.sub(lambda m: f"option {option_name(m.group(1))}", text)
