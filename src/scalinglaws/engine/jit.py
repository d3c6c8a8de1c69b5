"""Compiled kernels for the batch's fits, when Numba is installed.

A batch of K small problems of one law (:mod:`.batch`) spends its time in NumPy's per-call
overhead: each iteration of the polish is tens of array operations on (K, n) arrays. Here the
same algorithm (variable-projection starts, then Levenberg–Marquardt from each problem's best
starts) runs problem by problem in compiled code: the law's value and gradient are generated
from its SymPy expression as scalar code (:mod:`.jit_source`), written to a module in the cache
folder and compiled by Numba, which keeps the machine code there, so a law is compiled once per
machine, not once per process. The problems are shared among threads (the kernels release the
GIL).

Least squares (``mse``, ``mse_log``, ``mse_log1p``, ``mse_logit``) and Huber's objective
(on log residuals, the default for losses), with case weights and an over-estimate penalty, on
positive inputs take this path: least squares by Levenberg–Marquardt on the Gauss–Newton
matrix, Huber's objective in the NumPy engine's two stages (IRLS weights to a relative 1e-4,
then Newton's exact Hessian, generated from the law's second derivatives). Set
``SCALINGLAWS_JIT=0`` to turn the kernels off; without Numba (``pip install
'scalinglaws[fast]'``) they are off.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import itertools
import os
import sys
import tempfile
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ..laws.law import Law

Array = np.ndarray
JIT_ENV = "SCALINGLAWS_JIT"
#: the objectives the kernels fit (least squares or Huber's loss in a link's space)
KERNEL_LOSSES = frozenset({"huber", "mse", "mse_log", "mse_log1p", "mse_logit"})
#: the link of each, as the kernels code it: (kind, shift)
LINK_CODES = {"huber": (1, 0.0), "mse": (0, 0.0), "mse_log": (1, 0.0),
              "mse_log1p": (1, 1.0), "mse_logit": (2, 0.0)}
#: problems per thread below which one thread does them all
_MIN_PER_THREAD = 256

_lock = threading.Lock()
_modules: dict[str, ModuleType] = {}
_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
#: each law's kernels module, by its shared compiled callables (:func:`..laws.compile.compiled`)
_by_law: weakref.WeakKeyDictionary[Any, ModuleType | None] = weakref.WeakKeyDictionary()


def enabled() -> bool:
    """Whether the kernels may be used: Numba importable, ``SCALINGLAWS_JIT`` not ``0``."""
    if os.environ.get(JIT_ENV, "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return importlib.util.find_spec("numba") is not None


def usable(law: Law, loss: str, X: list[Array]) -> bool:
    """Whether a batch of ``law`` under ``loss`` on inputs ``X`` takes the compiled path (its
    kernels are built here on first use; a law they cannot be built for keeps NumPy)."""
    return (loss in KERNEL_LOSSES and enabled() and len(law.parameters) > 0
            and all(bool(np.all(x > 0)) for x in X) and _built(law) is not None)


def kernels(law: Law) -> ModuleType:
    """The compiled kernels of ``law`` (generated, written and compiled on first use)."""
    mod = _built(law)
    if mod is None:
        raise RuntimeError(f"no compiled kernels for law '{law.name}'")
    return mod


def _built(law: Law) -> ModuleType | None:
    """The kernels of ``law``, or None where they cannot be built (an expression Numba does not
    compile): such a law is fitted by the NumPy engine, as without Numba."""
    comp = law._compiled
    if comp in _by_law:
        return _by_law[comp]
    from .jit_source import module_source  # SymPy's printer: only when a kernel is built

    try:
        source = module_source(comp.expr, comp.inputs, comp.params, comp.gradient,
                               comp.hessian_upper, len(comp.linear))
        key = hashlib.sha256(source.encode()).hexdigest()[:24]
        with _lock:
            if key not in _modules:
                built = _load(key, source)
                _check(built, len(comp.inputs), len(comp.params))
                _modules[key] = built
            mod: ModuleType | None = _modules[key]
    except Exception:  # any failure to build keeps the NumPy path
        mod = None
    _by_law[comp] = mod
    return mod


def _check(mod: ModuleType, d: int, p: int) -> None:
    """Compile the kernel now (not in the middle of a batch): one call on dummy data."""
    X = np.full((max(d, 1), 1, 2), 2.0)
    mod._assemble(0, X, np.log(X), np.ones((1, 2)), np.ones((1, 2)), np.full(p, 0.5),
                  np.zeros(p, dtype=np.bool_), 0, 0.0, 1.0, 0.0, np.zeros((p, p)), np.zeros(p),
                  np.zeros(p))


def kernel_folder() -> Path:
    """Where generated kernels and Numba's machine code for them are kept."""
    from ..data.fetch import cache_dir

    return cache_dir() / "kernels"


def _load(key: str, source: str) -> ModuleType:
    """The module of ``source``, written to the kernel folder (a temporary folder where that
    cannot be written: compiled then for this process only) and imported."""
    path = None
    for folder in (kernel_folder, lambda: Path(tempfile.mkdtemp(prefix="scalinglaws-"))):
        try:
            target = folder()
            target.mkdir(parents=True, exist_ok=True)
            path = target / f"law_{key}.py"
            if not path.exists() or path.read_text() != source:
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(source)
                os.replace(tmp, path)  # atomic: another process may be reading it
            break
        except OSError:
            path = None
    if path is None:
        raise OSError("no folder to write the compiled kernels to")
    name = f"scalinglaws_kernels_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _spans(K: int, threads: int) -> list[tuple[int, int]]:
    t = max(1, min(threads, K // _MIN_PER_THREAD))
    edges = np.linspace(0, K, t + 1).astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]


def _pool(n: int) -> ThreadPoolExecutor:
    """A pool of ``n`` threads kept for the kernels of this process (a forked child gets its
    own: threads do not cross a fork)."""
    key = (os.getpid(), n)
    with _lock:
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(n, thread_name_prefix="scalinglaws-kernel")
        return _pools[key]


def _run(fn: Any, K: int, threads: int, *args: Any) -> None:
    """``fn(*args, first, last)`` over spans of the K problems, one span per thread (this
    thread takes the first)."""
    spans = _spans(K, threads)
    futures = [_pool(len(spans) - 1).submit(functools.partial(fn, *args, a, b))
               for a, b in spans[1:]]
    fn(*args, *spans[0])
    for f in futures:
        f.result()


def threads_default() -> int:
    """Threads for the kernels: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def polish(law: Law, X: list[Array], target: Array, weights: Array, U0: Array,
           lower: Array, upper: Array, loss: str, penalty: float, delta: float,
           max_iter: int, threads: int | None = None, window: int = 0,
           stall_rtol: float = 0.0) -> tuple[Array, Array, Array, Array]:
    """Levenberg–Marquardt from every row of ``U0`` (R, p; search coordinates: log-scale
    parameters by their logs, within ``lower`` and ``upper``, (p,) or one row each) on
    problem rows ``target`` (R, n: the data through the loss's link, h(y)), inputs ``X``
    (one (R, n) array each, or one (1, n) row where every problem shares it) and case
    weights ((R, n) or (n,)): the end points in search coordinates (R, p), the objective
    there (the engine's: Σ c·ρ(r)), status codes (1 converged, 2 iteration limit, 3 failed,
    5 stalled: less than ``stall_rtol`` of the objective gained over ``window`` iterations)
    and iterations."""
    mod = kernels(law)
    R = U0.shape[0]
    n = target.shape[-1]
    # inputs the problems share come as one row (the batch keeps them so) and are passed once
    rows = 1 if all(np.ndim(x) < 2 or np.shape(x)[0] == 1 for x in X) else R
    Xs = np.ascontiguousarray(np.stack([np.broadcast_to(x, (R, n))[:rows] for x in X])
                              if X else np.ones((1, rows, n)))
    with np.errstate(divide="ignore"):
        LX = np.log(Xs)
    logmask = np.array([p.log for p in law.parameters], dtype=np.bool_)
    kind, shift = LINK_CODES[loss]
    out_U = np.empty((R, len(law.parameters)))
    value = np.empty(R)
    status = np.empty(R, dtype=np.int64)
    n_iter = np.empty(R, dtype=np.int64)
    W = np.asarray(weights, dtype=float)
    W = np.ascontiguousarray(W.reshape(1, n) if W.size == n else np.broadcast_to(W, (R, n)))
    _run(mod.polish, R, threads or threads_default(), Xs, LX,
         np.ascontiguousarray(target, dtype=float), W, np.ascontiguousarray(U0, dtype=float),
         logmask,
         np.ascontiguousarray(np.broadcast_to(lower, U0.shape), dtype=float),
         np.ascontiguousarray(np.broadcast_to(upper, U0.shape), dtype=float),
         kind, float(shift), float(penalty), float(delta if loss == "huber" else 0.0),
         int(max_iter), int(window),
         float(stall_rtol), out_U, value, status, n_iter)
    return out_U, value, status, n_iter


def _grid_basis(law: Law, X1: list[Array], theta: Array, n: int) -> tuple[Array, Array]:
    """The projection's basis on every grid point: g0 (G, n) and F (G, n, m), contiguous."""
    G = theta.shape[0]
    with np.errstate(all="ignore"):
        g0, F = law.basis(list(X1), theta)
    return (np.ascontiguousarray(np.broadcast_to(g0, (G, n)), dtype=float),
            np.ascontiguousarray(np.broadcast_to(F, (G, n, F.shape[-1])), dtype=float))


def _linear_split(law: Law) -> tuple[Array, Array, Array, Array]:
    """The positions of the law's linear and nonlinear parameters, and the linear ones'
    bounds."""
    names = law.parameter_names
    lin = np.array([names.index(n) for n in law.linear_names], dtype=np.int64)
    nonlin = np.array([i for i in range(len(names)) if i not in set(lin.tolist())],
                      dtype=np.int64)
    lo = np.array([law.parameters[i].lower for i in lin], dtype=float)
    hi = np.array([law.parameters[i].upper for i in lin], dtype=float)
    return lin, nonlin, lo, hi


def shared_starts(law: Law, X1: list[Array], theta: Array, Y: Array, WL: Array, S: int,
                  threads: int | None = None) -> Array:
    """The ``S`` best projected starts of every problem (S, K, p) for problems sharing inputs
    ``X1`` (one (1, n) array each): the basis at grid ``theta`` (G, q) evaluated once, each
    problem's normal equations weighted by ``WL`` (K, n) solved in the kernel."""
    mod = kernels(law)
    lin, nonlin, lo, hi = _linear_split(law)
    K, n = Y.shape
    G0, F = _grid_basis(law, X1, theta, n)
    out = np.empty((S, K, len(law.parameters)))
    _run(mod.starts, K, threads or threads_default(), G0, F,
         np.ascontiguousarray(theta, dtype=float), np.ascontiguousarray(Y, dtype=float),
         np.ascontiguousarray(WL, dtype=float), lin, nonlin, lo, hi, int(S), out)
    return out


def uniform_starts(law: Law, X1: list[Array], theta: Array, Y: Array, w: Array,
                   threads: int | None = None) -> Array:
    """:func:`shared_starts` with one start per problem (one nonlinear parameter) for problems
    that also share their weights ``w`` (n,): each grid point's normal matrix and its inverse
    are computed once here and the right-hand sides of every problem at every grid point are
    one matrix product, so the kernel solves only the m × m systems. Returns (1, K, p)."""
    mod = kernels(law)
    lin, nonlin, lo, hi = _linear_split(law)
    K, n = Y.shape
    G = theta.shape[0]
    g0, F = _grid_basis(law, X1, theta, n)
    with np.errstate(all="ignore"):
        Fw = np.ascontiguousarray((F * w[None, :, None]).transpose(0, 2, 1))  # (G, m, n)
        A = np.einsum("gan,gnb->gab", Fw, F)
        inverse = np.linalg.pinv(A)
        Fg0 = np.einsum("gan,gn->ga", Fw, g0)
        g0g0 = (g0 * g0) @ w
        # every problem's right-hand sides at every grid point: one matrix product
        basis = np.concatenate([Fw, (g0 * w)[:, None, :]], axis=1)  # (G, m + 1, n)
        ZY = (Y @ basis.reshape(-1, n).T).reshape(K, G, -1)
    out = np.empty((1, K, len(law.parameters)))
    _run(mod.starts_uniform, K, threads or threads_default(), ZY, (Y * Y) @ w,
         np.ascontiguousarray(inverse), np.ascontiguousarray(A), np.ascontiguousarray(Fg0),
         np.ascontiguousarray(g0g0), np.ascontiguousarray(theta, dtype=float), lin, nonlin,
         lo, hi, out[0])
    return out
