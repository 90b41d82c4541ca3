"""Cost of threshold decryption-share verification (SPEC §3.9): ms per aggregate per share, individual vs batched.

    python benchmarks/bench_threshold.py [--bits 2048] [--aggregates 20] [--trustees 5] [--threshold 3]

Deals a key with safe primes (simulate/threshold.py; a few seconds at 2048 bits), makes every trustee's share of
`--aggregates` random aggregates, then times on one core: the per-share statement checks (ranges, units, hash:
needed either way), the individual equations, one batch test over all shares, and the Lagrange combination.
"""
import argparse
import secrets
import time

from bench_batch_micro import timed  # benchmarks/: no package
from verifier.crypto import threshold as th
from verifier.crypto.paillier import PublicKey, encrypt_with
from verifier.simulate import threshold as dealer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bits", type=int, default=2048)
    ap.add_argument("--aggregates", type=int, default=20)
    ap.add_argument("--trustees", type=int, default=5)
    ap.add_argument("--threshold", type=int, default=3)
    args = ap.parse_args()
    t0 = time.perf_counter()
    d = dealer.deal(args.trustees, args.threshold, bits=args.bits)
    print(f"deal ({args.bits}-bit key, safe primes, {args.threshold} of {args.trustees}): "
          f"{time.perf_counter() - t0:.1f} s")
    key = PublicKey.from_n(int(d.n))
    tk = th.ThresholdKey(d.trustees, d.threshold, int(d.v), tuple(int(x) for x in d.verification_keys))
    fp = bytes(32)
    items, statements = [], []
    t0 = time.perf_counter()
    for k in range(args.aggregates):
        c = int(encrypt_with(key, k, secrets.randbelow(int(key.n) - 2) + 2))
        for i in range(1, d.trustees + 1):
            o = dealer.decryption_share(d, i, c, fingerprint=fp, contest_id="c", station_id=f"s{k}")
            p = o["proof"]
            sh = th.Share(i, int(o["share"], 16), int(p["a"], 16), int(p["b"], 16), int(p["e"], 16), int(p["z"], 16))
            items.append((c, sh))
            statements.append(th.ShareStatement(fp, "c", f"s{k}", i, c))
    count = len(items)
    print(f"make {count} shares: {1000 * (time.perf_counter() - t0) / count:.1f} ms per share (trustee side)")
    t_key, problems = timed(lambda: th.key_problems(key, tk), 1)
    assert problems == []
    t_st, _ = timed(lambda: [th.share_statement_problem(key, tk, st, sh)
                             for st, (_, sh) in zip(statements, items, strict=True)], repeat=3)  # appended together
    t_ind, ok = timed(lambda: all(th.share_equations_hold(key, tk, c, sh) for c, sh in items), repeat=3)
    assert ok
    t_bat, ok = timed(lambda: th.batch_holds(key, tk, items), repeat=3)
    assert ok
    t_comb, _ = timed(lambda: [th.combine(key, tk, {sh.trustee: sh.share for c2, sh in items if c2 == c})
                               for c in {c for c, _ in items}], repeat=3)
    def per(t: float) -> float:
        return 1000 * t / count

    print(f"V1.10 key material: {1000 * t_key:.1f} ms (once)")
    print(f"statement checks (ranges, units, hash): {per(t_st):.2f} ms per aggregate per share")
    print(f"equations, individual: {per(t_ind):.2f} ms per aggregate per share")
    print(f"equations, batched ({count} shares, 128-bit coefficients): {per(t_bat):.2f} ms per aggregate per share "
          f"({t_ind / t_bat:.1f}x)")
    print(f"combination (Lagrange, w = {d.threshold}): {1000 * t_comb / args.aggregates:.2f} ms per aggregate")


if __name__ == "__main__":
    main()
