"""``python -m savings_tracker``: the savings-tracker command."""
import sys

from .cli import main

sys.exit(main())
