"""Laws: expressions with parameters, and the catalog of published laws."""

from .catalog import get as get
from .catalog import names as names
from .catalog import register as register
from .law import Law as Law
from .parameter import Parameter as Parameter
