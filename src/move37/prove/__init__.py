"""Theorem proving on Metamath databases (set.mm), AlphaProof at small scale.

database.py reads a .mm file into statements; verify.py checks proofs (our own verifier, cross-checked
against the `metamath` program); grammar.py parses expressions into syntax trees by the database's syntax
axioms; environment.py is the proving game (goals, backward steps); search.py the provers; export.py writes
found proofs back as Metamath proofs; policy.py and learn.py the learned prover and its expert iteration.
"""
