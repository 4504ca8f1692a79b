"""Drills: the app under real concurrency and real servers, run by `make drills`.

Each drill starts what it needs on loopback, stops it again, and returns a verdict with its
figures; `drills/run.py` runs them in turn on a database of their own (``cto_drills``).
"""
