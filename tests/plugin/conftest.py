"""Import what the plugin's fixtures load before pytester runs: an in-process pytester run
forgets the modules imported during it, so without this every run would import them again."""

import llama_api_client  # noqa: F401

