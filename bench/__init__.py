"""Benchmarks of the CRM over real HTTP: `python -m bench` (or `make bench`).

Each benchmark module has `run(sizes, workdir, rng, options) -> list[Row]`; `__main__`
prints the machine, then one table of every figure and ratio measured in that run.
"""
