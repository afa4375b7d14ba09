"""The measured simulation behind the capacity plan (issue 17, docs/scaling-measurements.md):
``python -m benchmarks.scaling.run``."""
