"""Randomness for the simulator: `secrets` by default; a seeded SHAKE-256 stream when a seed is given so that
the same seed gives the same record (simulation only: a real authority never seeds)."""
import hashlib
import secrets


class SeededRandom:
    """Deterministic stand-in for the `secrets` functions the simulator uses (randbelow, token_bytes)."""

    def __init__(self, seed: int | str, label: str = ""):
        self._key = hashlib.sha256(f"tally-verifier/simulate/v1\n{seed}\n{label}".encode()).digest()
        self._counter = 0

    def token_bytes(self, n: int) -> bytes:
        self._counter += 1
        return hashlib.shake_256(self._key + self._counter.to_bytes(8, "big")).digest(n)

    def randbits(self, bits: int) -> int:
        return int.from_bytes(self.token_bytes((bits + 7) // 8), "big") >> ((-bits) % 8)

    def randbelow(self, bound: int) -> int:
        bits = int(bound).bit_length()
        while True:
            x = self.randbits(bits)
            if x < bound:
                return x

    def child(self, label: str) -> "SeededRandom":
        """An independent stream: lets parallel workers produce the same bytes in any order."""
        return SeededRandom(self._key.hex(), label)


class SystemRandom:
    token_bytes = staticmethod(secrets.token_bytes)
    randbits = staticmethod(secrets.randbits)
    randbelow = staticmethod(secrets.randbelow)

    def child(self, label: str) -> "SystemRandom":
        return self


def make_rng(seed: int | str | None):
    return SystemRandom() if seed is None else SeededRandom(seed)
