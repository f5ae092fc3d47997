"""Import what the plugin's fixtures load before pytester runs: an in-process pytester run
forgets the modules imported during it, so without this every run would import them again. For
PyYAML that is not only slow but wrong: its C loader keeps the node classes of the first import,
so scenarios read after such a run fail ("could not determine a constructor for the tag None")."""

import llama_api_client  # noqa: F401
import yaml  # noqa: F401

