"""Demo and benchmark data for `manage.py seed_demo`, in three parts:

- `plan`: the population plan — who exists, who follows whom, who posts, likes, comments and saves
  what. Pure data from one seeded random.Random (no database), so the same options give the same rows.
- `images`: the image maker — generated photos stored through the real upload pipeline.
- `writer`: the bulk writer — the plan's rows in COPY/executemany batches, stored counters and feed
  rows included (a deliberate second code path beside the services; `check_counters` is its proof).
"""
