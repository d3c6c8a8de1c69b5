"""The forecast ledger: record predictions before the big run, score them when it lands
(``sl.ledger.Ledger``; SQLite by default, PostgreSQL for a team)."""

from .ledger import Forecast as Forecast
from .ledger import Ledger as Ledger
from .matching import Observed as Observed
from .score import Scorecard as Scorecard
from .store import LEDGER_ENV as LEDGER_ENV
