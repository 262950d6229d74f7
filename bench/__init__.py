"""Benchmarks of amc-cltv: ``python -m bench`` (``make bench``) runs every ``bench/*_bench.py`` module and
writes its figures into ``docs/benchmarks.md``."""
