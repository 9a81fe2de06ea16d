"""``python -m reportgen`` — the same as the ``reportgen`` command."""

from .cli import main

main()
