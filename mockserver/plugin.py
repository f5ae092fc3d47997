"""pytest plugin `llama_contract`: fixtures that give a test a working Llama API mock."""
