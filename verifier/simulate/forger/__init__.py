"""The Forger (verifier.simulate.tamper) in parts: a core and one mixin per concern."""
