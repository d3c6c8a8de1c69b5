"""Uncertainty: the batched bootstrap, profile likelihood and delta-method intervals."""

from .bootstrap import Bootstrap as Bootstrap
from .profile import Profile as Profile

__all__ = ["Bootstrap", "Profile"]
