"""Datasets shipped with fastlasso (nothing is downloaded)."""

from ._leukemia import load_leukemia

__all__ = ["load_leukemia"]
