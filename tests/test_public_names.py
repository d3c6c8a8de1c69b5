"""A package's public names stay what they are once its submodules are imported: a lazily
exported function whose module has its name would be replaced by that module (Python sets a
package's attribute to each submodule it imports)."""

from __future__ import annotations

import importlib
import pkgutil
import types

import scalinglaws

#: public names that are modules on purpose
MODULES = {"datasets", "arch", "data", "finetune", "fitting", "inference", "laws", "ledger",
           "mixing", "observational", "plan", "report", "study", "time", "uncertainty",
           "validate", "curves", "schedules", "figures"}


def test_no_public_function_is_shadowed_by_a_submodule() -> None:
    for info in pkgutil.walk_packages(scalinglaws.__path__, "scalinglaws."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    shadowed = []
    names = ["scalinglaws"] + [info.name for info in pkgutil.walk_packages(
        scalinglaws.__path__, "scalinglaws.") if info.ispkg and ".migrations" not in info.name]
    for name_ in names:
        package = importlib.import_module(name_)
        for name in getattr(package, "__all__", []):
            value = getattr(package, name)
            if isinstance(value, types.ModuleType) and name not in MODULES:
                shadowed.append(f"{name_}.{name}")
    assert not shadowed, shadowed
