"""Fuzz targets for PressLens's front door (see docs/robustness.md); ``python fuzz/run.py --minutes 30``."""
