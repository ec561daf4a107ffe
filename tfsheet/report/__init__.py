"""Figures and the report built from results files (matplotlib is imported here only, lazily)."""
