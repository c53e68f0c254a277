"""Every write of the scoring app, one module per area:

- ``scores``: recompute the stored opportunity scores (and ask for a debounced recompute);
- ``survey``: a member's answers to a job's outcome survey;
- ``imports``: import an external survey's ratings from CSV.
"""
