"""Benchmarks at scale: `python -m bench` (see bench/__main__.py). Never part of the test run:
tests never assert on speed; these print figures."""
