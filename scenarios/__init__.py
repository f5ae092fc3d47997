"""Scenario files shipped with llama-api-contract (data only)."""
