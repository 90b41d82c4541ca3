"""Known-answer vectors of SPEC.md Appendix A, computed from SPEC.md's own definitions.

Run `python tests/kat_vectors.py` to print the appendix. This script deliberately uses none of the verifier's code:
hashlib for SHA-256 and SHAKE-256, PyNaCl for Ed25519, the json module for canonical JSON, Python integers for the
arithmetic. tests/test_kat.py then feeds the inputs printed in SPEC.md to the verifier's own encoders and holds them
to the outputs printed there, so SPEC.md, this script and the verifier cannot drift apart unnoticed.
"""
import base64
import hashlib
import json
import math

from nacl.signing import SigningKey

ELECTION_ID = "kat-2023"
M = 1 << 24  # slot base of the vote encoding (§3.4)


def canonical(value) -> bytes:
    """JCS for ASCII keys, strings and small integers: sorted keys, no whitespace (§1)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def enc(x: bytes) -> bytes:
    return len(x).to_bytes(4, "big") + x


def hfs(tag: str, *fields: bytes) -> bytes:
    return sha256(enc(tag.encode()) + b"".join(enc(f) for f in fields))


def shake(label: str, width: int) -> int:
    """A fixed 'random' value for the vectors (not part of the spec): SHAKE-256 of a label, big-endian."""
    return int.from_bytes(hashlib.shake_256(f"tally-verifier/kat/{label}".encode()).digest(width), "big")


def is_probable_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    # Miller–Rabin with 16 fixed bases; test_kat.py checks the printed primes with gmpy2 as well
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def blum_prime(start: int) -> int:
    """The least prime p ≥ start with p ≡ 3 (mod 4)."""
    p = start + (3 - start) % 4
    while not is_probable_prime(p):
        p += 4
    return p


def jacobi(a: int, n: int) -> int:
    """The Jacobi symbol (a | n) for odd n > 0 (quadratic reciprocity, the textbook algorithm)."""
    a, result = a % n, 1
    while a:
        while a % 2 == 0:
            a //= 2
            if n % 8 in (3, 5):
                result = -result
        a, n = n, a
        if a % 4 == 3 and n % 4 == 3:
            result = -result
        a %= n
    return result if n == 1 else 0


def modulus_proof(p: int, q: int, w: int) -> dict:
    """Π^mod of §3.6.2 for n = p·q and the given w, as published in election_key.json (§2.2): the prover's choices
    are all determined (a_i, b_i unique; x_i the fourth root t^(((p+1)/4)²) mod p and mod q joined by the CRT;
    z_i = y_i^(n⁻¹ mod φ(n))), so the whole proof is reproducible from p, q and w."""
    n = p * q
    w1 = (n.bit_length() + 7) // 8
    d = pow(n, -1, (p - 1) * (q - 1))
    out: dict = {"w": w, "x": [], "a": [], "b": [], "z": [], "y": [], "ctr": []}
    for i in range(1, 129):
        ctr = 0
        while True:
            data = (enc(b"tally-verifier/modulus-proof/v1") + enc(n.to_bytes(w1, "big")) + enc(w.to_bytes(w1, "big"))
                    + enc(i.to_bytes(4, "big")) + enc(ctr.to_bytes(4, "big")))
            y = int.from_bytes(hashlib.shake_256(data).digest(w1), "big") >> (8 * w1 - n.bit_length())
            if 0 < y < n:
                break
            ctr += 1
        [(a, b, t)] = [(a, b, t) for a in (0, 1) for b in (0, 1)
                       if (t := (-1) ** a * pow(w, b) * y % n) is not None
                       and pow(t, (p - 1) // 2, p) == 1 and pow(t, (q - 1) // 2, q) == 1]
        xp, xq = pow(t, ((p + 1) // 4) ** 2, p), pow(t, ((q + 1) // 4) ** 2, q)
        x = (xp * q * pow(q, -1, p) + xq * p * pow(p, -1, q)) % n
        assert pow(x, 4, n) == t
        z = pow(y, d, n)
        for name, value in (("x", x), ("a", a), ("b", b), ("z", z), ("y", y), ("ctr", ctr)):
            out[name].append(value)
    return out


def election_key(p: int, q: int, sigmas, proof: dict) -> dict:
    """election_key.json (§2.2) of the test key."""
    n = p * q
    w1, w2 = (n.bit_length() + 7) // 8, ((n * n).bit_length() + 7) // 8
    return {"n": f"{n:x}", "g": f"{n + 1:0{2 * w2}x}", "key_proof": {"sigma": [f"{s:0{2 * w1}x}" for s in sigmas]},
            "modulus_proof": {"w": f"{proof['w']:0{2 * w1}x}", "x": [f"{x:0{2 * w1}x}" for x in proof["x"]],
                              "a": proof["a"], "b": proof["b"], "z": [f"{z:0{2 * w1}x}" for z in proof["z"]]}}


def vectors() -> dict:
    v: dict = {}
    # A.1 encodings
    v["enc_abc"] = enc(b"abc").hex()

    # A.2 test key: two 320-bit Blum primes, n of exactly 640 bits
    # 320-bit primes below 1.25·2^319, so that n has 639 bits: W1 = 80 bytes hold 640, and ρ_i's shift is 1 bit
    p = blum_prime(shake("p", 40) % (1 << 317) | 1 << 319)
    q = blum_prime(shake("q", 40) % (1 << 317) | 1 << 319)
    n = p * q
    assert n.bit_length() == 639 and p != q
    w1, w2 = (n.bit_length() + 7) // 8, ((n * n).bit_length() + 7) // 8
    n2 = n * n
    phi = (p - 1) * (q - 1)
    v.update(p=f"{p:x}", q=f"{q:x}", n=f"{n:x}", w1=w1, w2=w2)

    # ρ_i (§3.6): SHAKE-256 of enc(tag) ‖ enc(n, W1 bytes) ‖ enc(i, 4 bytes) ‖ enc(ctr, 4 bytes), W1 bytes read
    # big-endian, shifted right by 8·W1 − bits(n); the first value with 0 < x < n
    def rho(i: int) -> tuple[int, int]:
        ctr = 0
        while True:
            data = (enc(b"tally-verifier/key-proof/v1") + enc(n.to_bytes(w1, "big")) + enc(i.to_bytes(4, "big"))
                    + enc(ctr.to_bytes(4, "big")))
            x = int.from_bytes(hashlib.shake_256(data).digest(w1), "big") >> (8 * w1 - n.bit_length())
            if 0 < x < n:
                return x, ctr
            ctr += 1

    rho1, ctr1 = rho(1)
    v.update(rho_1=f"{rho1:0{2 * w1}x}", rho_1_counter=ctr1)
    d = pow(n, -1, phi)
    sigmas = [pow(rho(i)[0], d, n) for i in range(1, 12)]
    v["sigma"] = [f"{s:0{2 * w1}x}" for s in sigmas]
    # Π^mod (§3.6.2) with w the least integer ≥ 2 of Jacobi symbol −1 (any such w will do; this one is easy to find)
    w = next(x for x in range(2, n) if jacobi(x, n) == -1)
    proof = modulus_proof(p, q, w)
    v.update(mod_w=f"{w:0{2 * w1}x}", mod_y_1=f"{proof['y'][0]:0{2 * w1}x}", mod_y_1_counter=proof["ctr"][0],
             mod_a_1=proof["a"][0], mod_b_1=proof["b"][0], mod_x_1=f"{proof['x'][0]:0{2 * w1}x}",
             mod_z_1=f"{proof['z'][0]:0{2 * w1}x}", mod_y_128=f"{proof['y'][127]:0{2 * w1}x}")
    key_bytes = canonical(election_key(p, q, sigmas, proof))
    v["election_key_sha256"] = sha256(key_bytes).hex()

    # A.3 Ed25519 keys from fixed seeds, and one signed message: the registry entry of the only voter
    seeds = {"registrar": bytes(range(32)), "collector": bytes(range(32, 64)), "commission": bytes(range(64, 96)),
             "voter": bytes(range(96, 128))}
    keys = {role: SigningKey(seed) for role, seed in seeds.items()}
    for role, seed in seeds.items():
        v[f"{role}_seed"] = seed.hex()
        v[f"{role}_public_key"] = bytes(keys[role].verify_key).hex()
    entry = {"algorithm": "ed25519", "polling_station": "ps-1", "public_key": v["voter_public_key"], "voter_id": "v-1"}
    message = b"tally-verifier/registry-entry/v1\n" + ELECTION_ID.encode() + b"\n" + canonical(entry)
    signature = keys["registrar"].sign(message).signature
    v["registry_message_text"] = message.decode()
    v["registry_message_hex"] = message.hex()
    v["registry_signature"] = signature.hex()
    registry_line = canonical({**entry, "registrar_signature": signature.hex()}) + b"\n"
    v["registry_line"] = registry_line[:-1].decode()

    # A.4 the election: a tiny manifest committing to that one-line registry; fingerprint and genesis hash
    authorities = {r: {"algorithm": "ed25519", "public_key": v[f"{r}_public_key"]}
                   for r in ("registrar", "collector", "commission")}
    manifest = {
        "spec_version": "1.1", "election_id": ELECTION_ID, "title": "Known-answer vectors", "test_record": True,
        "voting_period": {"start": "2023-03-13T06:00:00Z", "end": "2023-03-18T18:00:00Z"},
        "election_day": "2023-03-19", "max_receipt_delay_seconds": 60,
        "regions": [{"id": "r-1", "name": "Region 1"}],
        "districts": [{"id": "d-1", "name": "District 1", "region": "r-1"}],
        "polling_stations": [{"id": "ps-1", "name": "Station 1", "district": "d-1", "ballot_style": "bs-1"}],
        "contests": [{"id": "c-1", "title": "Contest 1", "scope": {"level": "nation"}, "seat_rule": None,
                      "options": [{"id": "yes", "name": "Yes", "kind": "candidate"},
                                  {"id": "no", "name": "No", "kind": "candidate"}]}],
        "ballot_styles": [{"id": "bs-1", "contests": ["c-1"]}],
        "authorities": authorities,
        "registry": {"voters": 1, "sha256": sha256(registry_line).hex()},
    }
    manifest_bytes = canonical(manifest)
    v["manifest"] = manifest_bytes.decode()
    fingerprint = sha256(b"tally-verifier/fingerprint/v1\n" + manifest_bytes + b"\n" + key_bytes)
    v["fingerprint"] = fingerprint.hex()
    v["genesis_hash"] = sha256(b"tally-verifier/ballot-box-genesis/v1\n" + fingerprint.hex().encode()).hex()

    # A.5 one 1-of-2 proof: the voter votes "no" (j = 1, m_1 = M); fixed randomness, so the vector is reproducible
    messages = [1, M]  # m_j = M^j
    r = shake("r", w1) % n
    c = (1 + messages[1] * n) * pow(r, n, n2) % n2
    e0, z0 = shake("e0", 32), shake("z0", w1) % n  # simulated branch j = 0
    u0 = c * (1 - messages[0] * n) % n2
    a0 = pow(z0, n, n2) * pow(pow(u0, e0, n2), -1, n2) % n2
    rho_v = shake("rho", w1) % n
    a1 = pow(rho_v, n, n2)
    ballot_id = bytes.fromhex("00112233445566778899aabbccddeeff")
    voter_context = sha256(bytes.fromhex(v["voter_public_key"]))
    fields = [fingerprint, b"c-1", n.to_bytes(w1, "big"), (2).to_bytes(4, "big"),
              *(m.to_bytes(w1, "big") for m in messages), voter_context, ballot_id, c.to_bytes(w2, "big"),
              a0.to_bytes(w2, "big"), a1.to_bytes(w2, "big")]
    digest = hfs("tally-verifier/membership/v1", *fields)
    e = int.from_bytes(digest, "big") % (1 << 256)
    e1 = (e - e0) % (1 << 256)
    z1 = rho_v * pow(r, e1, n) % n
    for m, a, ej, zj in ((messages[0], a0, e0, z0), (messages[1], a1, e1, z1)):  # the squared equation of §3.5
        u = c * (1 - m * n) % n2
        assert pow(zj, 2 * n, n2) == pow(a * pow(u, ej, n2) % n2, 2, n2)
    v.update(contest="c-1", k=2, m_0=f"{messages[0]:0{2 * w1}x}", m_1=f"{messages[1]:0{2 * w1}x}",
             voter_context=voter_context.hex(), ballot_id=ballot_id.hex(), c=f"{c:0{2 * w2}x}",
             a_0=f"{a0:0{2 * w2}x}", a_1=f"{a1:0{2 * w2}x}", digest=digest.hex(), e=f"{e:064x}",
             e_0=f"{e0:064x}", e_1=f"{e1:064x}", z_0=f"{z0:0{2 * w1}x}", z_1=f"{z1:0{2 * w1}x}")
    # A.6 a tracking code (§12.2), of a toy envelope (any canonical envelope is hashed the same way)
    envelope = canonical({"ballot_id": ballot_id.hex(), "voter_id": "V-0001"})
    code = base64.b32encode(sha256(b"tally-verifier/tracking-code/v1\n" + envelope)[:10]).decode()
    v.update(tracking_envelope=envelope.decode(), tracking_code="-".join(code[i:i + 4] for i in range(0, 16, 4)))

    # A.7 threshold decryption share (§3.9): A.2's n (its primes are not safe primes: the encodings do not care),
    # ℓ = 3, w = 2, f(x) = d + f_1·x mod n·m with m = (p−1)(q−1)/4, d ≡ 0 mod m, d ≡ 1 mod n
    ctr = 0
    while True:  # v = (1 + n)·ρ^(2n) mod n², ρ the first unit mod n from SHAKE-256(enc(tag) ‖ enc(n) ‖ enc(ctr))
        data = enc(b"tally-verifier/threshold-v/v1") + enc(n.to_bytes(w1, "big")) + enc(ctr.to_bytes(4, "big"))
        rho_t = int.from_bytes(hashlib.shake_256(data).digest(w1), "big") % n
        if rho_t and math.gcd(rho_t, n) == 1:
            break
        ctr += 1
    tv = (1 + n) * pow(rho_t, 2 * n, n2) % n2
    m = (p - 1) * (q - 1) // 4
    dd = m * pow(m, -1, n)
    f1 = shake("f1", 2 * w1) % (n * m)
    s_i = {i: (dd + f1 * i) % (n * m) for i in (1, 2, 3)}
    delta = 6  # 3!
    vks = {i: pow(tv, delta * s_i[i], n2) for i in (1, 2, 3)}
    share = pow(c, 2 * delta * s_i[2], n2)
    r_bits = 2 * n.bit_length() + delta.bit_length() + 256 + 128
    zw = (r_bits + 1 + 7) // 8
    rr = shake("r-share", (r_bits + 7) // 8) >> ((-r_bits) % 8)
    ta, tb = pow(c, 4 * rr, n2), pow(tv, rr, n2)
    tdigest = hfs("tally-verifier/threshold-share/v1", fingerprint, b"c-1", b"ps-1", n.to_bytes(w1, "big"),
                  (3).to_bytes(4, "big"), (2).to_bytes(4, "big"), tv.to_bytes(w2, "big"), (2).to_bytes(4, "big"),
                  vks[2].to_bytes(w2, "big"), c.to_bytes(w2, "big"), pow(c, 4, n2).to_bytes(w2, "big"),
                  pow(share, 2, n2).to_bytes(w2, "big"), ta.to_bytes(w2, "big"), tb.to_bytes(w2, "big"))
    te = int.from_bytes(tdigest, "big")
    tz = rr + te * delta * s_i[2]
    assert pow(c, 8 * tz, n2) == pow(ta * pow(share, 2 * te, n2), 2, n2)
    assert pow(tv, 2 * tz, n2) == pow(tb * pow(vks[2], te, n2), 2, n2)
    v.update(t_rho_counter=ctr, t_v=f"{tv:0{2 * w2}x}", t_vk_1=f"{vks[1]:0{2 * w2}x}", t_vk_2=f"{vks[2]:0{2 * w2}x}",
             t_vk_3=f"{vks[3]:0{2 * w2}x}", t_share=f"{share:0{2 * w2}x}", t_a=f"{ta:0{2 * w2}x}",
             t_b=f"{tb:0{2 * w2}x}", t_digest=tdigest.hex(), t_e=f"{te:064x}", t_z=f"{tz:0{2 * zw}x}", t_z_width=zw)
    return v


def appendix(v: dict) -> str:
    """SPEC.md's Appendix A, from the values."""
    sig = "\n".join(f"sigma_{i} = {s}" for i, s in enumerate(v["sigma"], 1))
    return f"""## Appendix A. Known-answer vectors

Values an implementation must reproduce exactly. They are generated by `tests/kat_vectors.py` (which uses
only hashlib, PyNaCl and Python integers, neither the verifier nor the simulator) and `tests/test_kat.py` holds
both the verifier's encoders and the simulator's own (a second implementation, written from this text) to them. All hex is lowercase; every integer is big-endian and written at its fixed width (§1).
In each block a line is `name = value`.

### A.1 Length-prefixed encoding (§3.1)

```
enc_abc = {v["enc_abc"]}
```

### A.2 Test key, key-proof bases and modulus-proof challenges (§3.3, §3.6)

p and q are fixed 320-bit Blum primes (p ≡ q ≡ 3 mod 4; how the script found them does not matter); n = p·q
has 639 bits, so W1 = 80 and W2 = 160, and each SHAKE-256 output of 80 bytes is shifted right by 1 bit.
ρ_1 is the first candidate (counter {v["rho_1_counter"]}); σ_i = ρ_i^(n⁻¹ mod φ(n)) mod n.

The modulus proof Π^mod (§3.6.2) uses w = the least integer ≥ 2 with Jacobi symbol (w | n) = −1. Every other value
of it follows from p, q and w: y_i as §3.6.2 (`mod_y_1_counter` is the counter of y_1's first candidate below n),
a_i and b_i the unique bits that make t_i = (−1)^(a_i)·w^(b_i)·y_i a square mod p and mod q,
x_i = the CRT of t_i^(((p+1)/4)²) mod p and t_i^(((q+1)/4)²) mod q (the fourth root that is itself a square),
z_i = y_i^(n⁻¹ mod φ(n)) mod n. `election_key_sha256` is H of the canonical bytes of
`{{"g": n + 1, "key_proof": {{"sigma": [σ_1..σ_11]}}, "modulus_proof": {{"w", "x", "a", "b", "z"}}, "n": n}}`
(§2.2) with all 128 rounds: the `election_key.json` whose bytes A.4's fingerprint covers.

```
p = {v["p"]}
q = {v["q"]}
n = {v["n"]}
w1 = {v["w1"]}
w2 = {v["w2"]}
rho_1 = {v["rho_1"]}
rho_1_counter = {v["rho_1_counter"]}
{sig}
mod_w = {v["mod_w"]}
mod_y_1 = {v["mod_y_1"]}
mod_y_1_counter = {v["mod_y_1_counter"]}
mod_a_1 = {v["mod_a_1"]}
mod_b_1 = {v["mod_b_1"]}
mod_x_1 = {v["mod_x_1"]}
mod_z_1 = {v["mod_z_1"]}
mod_y_128 = {v["mod_y_128"]}
election_key_sha256 = {v["election_key_sha256"]}
```

### A.3 Ed25519 keys and one signed message (§2.3, §3.2)

Public keys are RFC 8032 keys of the 32-byte seeds. The registrar signs the registry entry of voter `v-1`
(election id `{ELECTION_ID}`): the message is the tag, a newline, the election id, a newline and the canonical
entry without `registrar_signature`. The message as text (three lines, no final newline):

```text
{v["registry_message_text"]}
```

```
registrar_seed = {v["registrar_seed"]}
registrar_public_key = {v["registrar_public_key"]}
collector_seed = {v["collector_seed"]}
collector_public_key = {v["collector_public_key"]}
commission_seed = {v["commission_seed"]}
commission_public_key = {v["commission_public_key"]}
voter_seed = {v["voter_seed"]}
voter_public_key = {v["voter_public_key"]}
registry_message_hex = {v["registry_message_hex"]}
registry_signature = {v["registry_signature"]}
registry_line = {v["registry_line"]}
```

`registry_line` is the whole line of `registry.jsonl` (followed by `\\n`, the file's only line).

### A.4 Election fingerprint and genesis hash (§2.2, §2.4)

`manifest` is the exact bytes of `manifest.json` (canonical; it commits to the one-line registry of A.3);
the key document is that of A.2.

```
manifest = {v["manifest"]}
fingerprint = {v["fingerprint"]}
genesis_hash = {v["genesis_hash"]}
```

### A.5 Fiat–Shamir challenge of a 1-of-k proof (§3.5)

Contest `c-1` of A.4 (k = 2: m_0 = M^0 = 1, m_1 = M = 2^24), the voter of A.3 (voter context = H(voter public
key)), a ballot encrypting option 1 ("no"). `digest` is
Hfs("tally-verifier/membership/v1", fingerprint, contest, n, k, m_0, m_1, voter_context, ballot_id, c, a_0, a_1)
with the widths of §3.5; e is the digest read as a big-endian integer, mod 2^256, so its 64 hex digits are the
digest's. The whole proof (a_j, e_j, z_j) holds: e_0 + e_1 ≡ e (mod 2^256) and the squared equation of §3.5.

```
fingerprint = {v["fingerprint"]}
contest = {v["contest"]}
n = {v["n"]}
k = {v["k"]}
m_0 = {v["m_0"]}
m_1 = {v["m_1"]}
voter_context = {v["voter_context"]}
ballot_id = {v["ballot_id"]}
c = {v["c"]}
a_0 = {v["a_0"]}
a_1 = {v["a_1"]}
digest = {v["digest"]}
e = {v["e"]}
e_0 = {v["e_0"]}
e_1 = {v["e_1"]}
z_0 = {v["z_0"]}
z_1 = {v["z_1"]}
```

### A.6 Tracking code (§12.2)

The canonical bytes of an envelope (here a toy one: any envelope's canonical bytes are hashed alike) and its
tracking code: base32 (RFC 4648, no padding) of the first 10 bytes of
SHA-256("tally-verifier/tracking-code/v1" ‖ 0x0a ‖ canonical(envelope)), in four groups of four joined by '-'.

```
tracking_envelope = {v["tracking_envelope"]}
tracking_code = {v["tracking_code"]}
```

### A.7 Threshold decryption share and its challenge (§3.9)

The key of A.2 shared among ℓ = 3 trustees with threshold w = 2 (Δ = 3! = 6; A.2's primes are not safe primes,
which changes none of the encodings), the aggregate C = the ciphertext `c` of A.5, for contest `c-1` at polling
station `ps-1` of A.4, and trustee i = 2. v is derived from n (ρ from counter `t_rho_counter`); `t_vk_i` are the
verification keys v_i. `t_digest` is Hfs("tally-verifier/threshold-share/v1", fingerprint, contest, station, n,
ℓ, w, v, i, v_i, C, C⁴ mod n², C_i² mod n², a, b), with ℓ, w, i as 4 bytes, n as W1 and the rest as W2 bytes; e is
the digest read big-endian, mod 2^256. z is written with `t_z_width` bytes: (2·bits(n) + bits(Δ) + 256 + 128 + 1
+ 7) div 8. The proof holds: (C^(4z))² ≡ (a·(C_i²)^e)² and (v^z)² ≡ (b·v_i^e)² (mod n²).

```
station = ps-1
t_rho_counter = {v["t_rho_counter"]}
t_v = {v["t_v"]}
t_vk_1 = {v["t_vk_1"]}
t_vk_2 = {v["t_vk_2"]}
t_vk_3 = {v["t_vk_3"]}
t_share = {v["t_share"]}
t_a = {v["t_a"]}
t_b = {v["t_b"]}
t_digest = {v["t_digest"]}
t_e = {v["t_e"]}
t_z_width = {v["t_z_width"]}
t_z = {v["t_z"]}
```
"""  # noqa: E501 the text of SPEC.md's Appendix A, whose introduction has one line this long


if __name__ == "__main__":
    print(appendix(vectors()), end="")
