"""Subcommands of `llama-contract`, one module each."""
