"""Placeholder: `tally-verifier tamper` (issue 3)."""
