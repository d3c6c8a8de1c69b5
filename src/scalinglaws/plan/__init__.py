"""Planning: compute-optimal allocation and inverse queries."""

from .optimal import Allocation as Allocation
from .optimal import compute_optimal as compute_optimal
from .optimal import flops_to_reach as flops_to_reach
