"""The fit engine: objectives, starting points, the batched search and the assessment of its
outcome. It knows laws and arrays, not datasets or result files; :mod:`scalinglaws.fitting`
builds the public results on it and :mod:`scalinglaws.uncertainty` refits with it."""

from .multistart import Search as Search
from .multistart import search as search
from .objective import Objective as Objective
from .options import FitOptions as FitOptions
from .status import FitStatus as FitStatus
from .status import StartsTable as StartsTable
from .verdict import Assessment as Assessment
from .verdict import assess as assess
