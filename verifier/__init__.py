"""tally-verifier: independent verification of published e-voting election records."""

SPEC_VERSION = "1.1"
