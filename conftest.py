"""Settings for the whole test suite (at the root, so that tests/ never shadows a package)."""

from __future__ import annotations

import os

from hypothesis import settings

# In CI every run draws the same examples, so a red build is reproducible from its log and a green
# one is not luck; locally each run explores new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
