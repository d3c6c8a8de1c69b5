"""Laws: expressions with parameters, the catalog of published laws, and the binding of what a
user writes (a name, an expression or a Law) to the data's columns."""

from .binding import bind_inputs as bind_inputs
from .binding import resolve as resolve
from .binding import resolve_law as resolve_law
from .catalog import describe as describe
from .catalog import get as get
from .catalog import names as names
from .catalog import register as register
from .fixing import fix as fix
from .fixing import tie as tie
from .law import Law as Law
from .parameter import Parameter as Parameter
