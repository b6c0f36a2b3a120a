"""``python -m savings_tracker.cli``: the savings-tracker command."""
import sys

from . import main

sys.exit(main())
