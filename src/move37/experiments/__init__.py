"""Runnable experiments around the learners (shipping a network with its evaluation card)."""
