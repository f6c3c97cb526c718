"""Study sets: which questions a sitting asks, in what order, and where it stopped (no UI).

Import the modules directly (catalog, sets, resume): resume is needed before the first frame,
the others pull in the bank models and are loaded later.
"""
