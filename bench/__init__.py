"""Benchmarks of the running server: `python -m bench.run` (see bench/README.md)."""
