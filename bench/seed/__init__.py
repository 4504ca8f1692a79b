"""A practice years into its life, for `make bench`: thousands of client organisations, each
with engagements spread over every stage, checklists, audits, quotes, reports and timelines,
written with PostgreSQL's COPY so that millions of rows take under a minute, not hours.

It goes around the services on purpose (they write one row at a time, with locks and timeline
events: hours at this size), so it writes what they would have left behind: every row passes
its model's ``full_clean()`` and the database's constraints, and the world keeps the demo's
shape (closed engagements piling up, open ones recent, checklists on running work, audits
before proposals, quotes from the proposal on). Deterministic for a given seed. PostgreSQL
only. One module per domain, in the order `scale.seed_scale` writes them; `python -m bench.seed`
runs it (this package imports nothing, so that it can set Django up first).
"""
