"""The phases of a verification run, one module each, in the order `engine/run.py` calls them:

    setup → registry → ballot box → counting rules → aggregation → tally → results → seats

A phase is a function `(run: Run, engine: Engine, *inputs) -> output`: `run` is what every phase may use (the
opened record, the options, the findings and report facts of the verdict, the progress display, the resources
to close); `inputs` are earlier phases' outputs, by name; the output is a small frozen NamedTuple that says what
the phase hands on. Nothing else passes between phases. The checks themselves live in verifier/checks; a phase
reads its files, has the engine run the per-line work in chunks (engine/chunks.py) and feeds the sequential
checks in file order.
"""
