"""Micro-benchmark of batch verification (crypto.md §3): individual vs batched 1-of-k proofs, multi_exp vs naive.

    python benchmarks/bench_batch_micro.py [--bits 2048] [--proofs 200] [--options 8]

Generates a key with phe (a few seconds at 2048 bits), makes honest proofs with the simulator's prover (about
0.12 s each at 2048 bits), then times on one core: the per-ballot statement checks (ranges, units, hash —
needed either way), the individual equation check, one batch test over all proofs, `failing_items` (which
on honest input is that one batch test) and multi_exp against the naive product of powmods modulo n².
"""
import argparse
import time

import gmpy2
from phe import paillier

from verifier.crypto import membership
from verifier.crypto.batch import ProofItem, batch_holds, failing_items
from verifier.crypto.multiexp import _naive, choose_window, multi_exp
from verifier.crypto.paillier import PublicKey, option_message
from verifier.simulate import prover
from verifier.simulate.randomness import SeededRandom


def timed(fn, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bits", type=int, default=2048)
    ap.add_argument("--proofs", type=int, default=200)
    ap.add_argument("--options", type=int, default=8)
    ap.add_argument("--seed", default="bench_batch_micro")
    args = ap.parse_args()

    t0 = time.perf_counter()
    public, _ = paillier.generate_paillier_keypair(n_length=args.bits)
    key = PublicKey.from_n(public.n)
    print(f"key: {key.n.bit_length()}-bit n, generated in {time.perf_counter() - t0:.1f} s")

    rng = SeededRandom(args.seed)
    messages = tuple(option_message(j) for j in range(args.options))
    statements, items = [], []
    t0 = time.perf_counter()
    for i in range(args.proofs):
        index = rng.randbelow(args.options)
        c, r = prover.encrypt(key, messages[index], rng)
        st = membership.Statement(bytes(32), "bench", messages, i.to_bytes(32, "big"), i.to_bytes(16, "big"), int(c))
        a, e, z = prover.prove(key, st, index, r, rng)
        statements.append((st, a, e, z))
        items.append(ProofItem(int(c), messages, a, e, z))
    print(f"{args.proofs} honest 1-of-{args.options} proofs made in {time.perf_counter() - t0:.1f} s")

    per = 1e3 / args.proofs
    t_stmt, problems = timed(lambda: [membership.statement_problem(key, *s) for s in statements])
    assert not any(problems)
    t_ind, verdicts = timed(lambda: [it.holds_individually(key) for it in items])
    assert all(verdicts)
    t_batch, ok = timed(lambda: batch_holds(key, items), repeat=3)
    assert ok
    t_fail, bad = timed(lambda: failing_items(key, items), repeat=3)
    assert bad == []
    print(f"per proof, ranges+units+hash (both paths): {t_stmt * per:8.3f} ms")
    print(f"per proof, individual equations:           {t_ind * per:8.3f} ms")
    print(f"per proof, one batch test over all:        {t_batch * per:8.3f} ms   "
          f"(failing_items: {t_fail * per:.3f} ms)")
    print(f"individual / batched (equations only):     {t_ind / t_batch:8.1f} x")
    print(f"individual / batched (with statement checks): {(t_ind + t_stmt) / (t_batch + t_stmt):5.1f} x")

    print(f"\nmulti_exp vs naive product of powmods, modulus n² ({key.n2.bit_length()} bits):")
    mrng = SeededRandom(args.seed + "/multi_exp")
    for terms in (8, 200, 1600):
        for bits in (128, 384):
            bases = [gmpy2.mpz(mrng.randbelow(key.n2)) for _ in range(terms)]
            exps = [mrng.randbits(bits) for _ in range(terms)]
            t_m, r1 = timed(lambda bases=bases, exps=exps: multi_exp(bases, exps, key.n2), repeat=2)
            t_n, r2 = timed(lambda bases=bases, exps=exps: _naive(list(zip(bases, exps, strict=True)), key.n2),
                            repeat=2)
            assert r1 == r2
            print(f"  {terms:5d} terms x {bits}-bit: window {choose_window(terms, bits):2d}  "
                  f"multi_exp {t_m * 1e3:8.1f} ms  naive {t_n * 1e3:8.1f} ms  speed-up {t_n / t_m:4.1f} x")


if __name__ == "__main__":
    main()
