"""The simulator: plays the election authority (authority.py) and, for the fault matrix, dishonest actors
(tamper.py's Forger, faults/), to make records for fixtures, tests, demos and benchmarks.

It is a second implementation of SPEC.md, not a user of the verifier: it imports nothing from the verifier's
packages (tests/test_layers.py), and every encoding it needs is its own, written from the spec (spec.py). So a
misreading of SPEC.md would have to be made twice, the same way, to pass the fixtures, the fault matrix and the
known-answer vectors of Appendix A.

  spec.py        canonical JSON, hashes, signed messages, fingerprint, proofs' challenges, vote encoding,
                 turnout, which levels announce a contest, seat allocation (SPEC §1–§3, §2.9, §6)
  authority.py   the honest authority: a whole record from a seed; announced_results and units_of_station
  prover.py      the voter's client: encryption and the 1-of-k proof (§3.5)
  keys.py        signing keys, the Paillier key and its two proofs (§3.6)
  publish.py     record documents as the authority writes and signs them
  record.py      where `tamper` finds a record's files (directory or archive of simulator output)
  tamper.py      the Forger: forger/core.py plus one mixin per concern (registry and setup, ballots and chain,
                 counting, tally, results, locations)
  faults/        the fault matrix: matrix.py (data), injectors by what they attack (keys, registry, box, proofs,
                 counting, tally, results)
"""
