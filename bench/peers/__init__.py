"""Peer runners for bench/selfplay.py: each module measures one peer framework.

Every runner imports its framework inside its functions, so the benchmark can list a
peer as "not available" when the bench environment (`make bench-env`) is not used.
"""
