"""Warnings that point at the user's line: one helper for every warning the library issues.

``warnings.warn(message, stacklevel=k)`` names the frame ``k`` calls up; a fixed ``k`` is
right for one call path only (``sl.fit`` reaches the engine through more frames than
``fit.predict`` does), so a warning would name a line inside scalinglaws. :func:`warn` walks
the stack instead, to the first frame outside the package, and names that one.
"""

from __future__ import annotations

import os
import sys
import warnings

from ..exceptions import ScalingLawWarning

#: the package's folder: frames whose file lies below it are the library's own
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
#: standard-library modules that only relay a call (``functools.cached_property``,
#: ``contextlib``'s context managers): the frame beyond them is the caller's
_RELAYS = tuple(os.path.join(os.path.dirname(os.__file__), name)
                for name in ("functools.py", "contextlib.py"))


def caller_level() -> int:
    """The ``stacklevel`` that names the first frame outside scalinglaws, as seen from the
    function that calls :func:`warnings.warn` (the caller of this one counts as level 1)."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and _inside(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    return level


def _inside(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE) or path in _RELAYS


def warn(message: str, category: type[Warning] = ScalingLawWarning) -> None:
    """Issue ``message`` (a :class:`~scalinglaws.ScalingLawWarning` by default) at the
    user's line: the first frame up the stack that is not scalinglaws' own.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("the data are thin")
    >>> caught[0].message.args[0], caught[0].category.__name__
    ('the data are thin', 'ScalingLawWarning')
    """
    warnings.warn(message, category, stacklevel=caller_level())
