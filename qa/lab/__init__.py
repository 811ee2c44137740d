"""Measuring code (evaluation, calibration, benchmarks) and its data: uses the product, never used by it."""
