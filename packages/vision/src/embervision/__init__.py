"""Datasets, transforms, models and utilities for computer vision with ember."""

__version__ = "0.1.0"
