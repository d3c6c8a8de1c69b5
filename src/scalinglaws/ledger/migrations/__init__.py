"""The ledger's schema migrations (Alembic), applied when a ledger is opened."""
