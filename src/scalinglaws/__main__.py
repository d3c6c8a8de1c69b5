"""``python -m scalinglaws`` runs the command line."""

from .cli.main import main

main()
