"""Planning: compute-optimal allocation and inverse queries."""

from .isoflop import Envelope as Envelope
from .isoflop import IsoFlop as IsoFlop
from .isoflop import envelope as envelope
from .isoflop import isoflop as isoflop
from .optimal import Allocation as Allocation
from .optimal import compute_optimal as compute_optimal
from .optimal import flops_to_reach as flops_to_reach
