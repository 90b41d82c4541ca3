"""V6.2's arithmetic: products of ballot ciphertexts per contest and polling station, mod n².

Pure functions on plain data, so that the chunks of both passes over the box (engine/chunks.py) and the run that
reduces them use the same arithmetic. Pass 1 multiplies every ballot that passed its checks, pass 2 those of them
that do not count; `divide_aggregates` leaves the product of the counted ballots. Every ciphertext that passed
V4.1 is a unit mod n², so the quotient is exact.
"""
import gmpy2

Aggregates = dict[tuple[str, str], tuple[int, int]]  # (contest, station) → (ballots, product of ciphertexts)


def multiply(into: Aggregates, key: tuple[str, str], ciphertext: int, n2) -> None:
    """One more ballot's ciphertext into `into[key]`."""
    count, product = into.get(key, (0, None))
    into[key] = (count + 1, gmpy2.mpz(ciphertext) if product is None else product * ciphertext % n2)


def merge_aggregates(into: Aggregates, part: Aggregates, n2: int) -> None:
    """`part`'s products multiplied into `into` (in place)."""
    for k, (count, product) in part.items():
        c0, p0 = into.get(k, (0, 1))
        into[k] = (c0 + count, gmpy2.mpz(p0) * product % n2)


def divide_aggregates(total: Aggregates, excluded: Aggregates, n2: int) -> Aggregates:
    """total / excluded per key (every excluded ballot is in total); keys left with no ballot are dropped."""
    out: Aggregates = {}
    for k, (count, product) in total.items():
        c_ex, p_ex = excluded.get(k, (0, 1))
        if count - c_ex:
            out[k] = (count - c_ex, gmpy2.mpz(product) * gmpy2.invert(p_ex, n2) % n2)
    return out
