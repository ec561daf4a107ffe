"""Figures drawn from experiment results (matplotlib is imported here only, lazily)."""
