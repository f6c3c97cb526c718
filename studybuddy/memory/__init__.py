"""The learner's memory model: fsrs fitted to their own history, and how well it keeps its word.

history (attempts -> fsrs reviews), fitting (the Optimizer, log loss), retention (true
retention, calibration), workload (what a retention target costs). No UI, no database: the
store hands in attempts, these modules hand back plain records. Only fitting imports torch,
and only when a fit runs.
"""
