"""Threshold decryption (verifier/crypto/threshold.py) against the simulator's dealer (simulate/threshold.py): the
functions' results and messages, and whole records where the fault matrix (tests/test_faults.py, the kinds of a
shared key: wrong share, share proof moved to another aggregate or trustee, verification key off the polynomial,
fewer than w valid shares) does not reach: the honest record, a trustee absent from every aggregate, the committed
fixture, a threshold proof for a key that is not shared."""
import itertools
import json
import random
import secrets
import shutil
from types import SimpleNamespace
from typing import cast

import gmpy2
import pytest
from conftest import failing, run_verify

from verifier.checks.context import ElectionContext
from verifier.checks.tally import threshold_problems
from verifier.crypto import threshold as th
from verifier.crypto.paillier import PublicKey, encrypt_with
from verifier.record import layout
from verifier.record.model import Aggregate, DecryptionProof, DecryptionShare
from verifier.simulate import threshold as dealer
from verifier.simulate.publish import sign_object, write_document

FP = bytes(range(32))


@pytest.fixture(scope="module")
def setup():
    d = dealer.deal(5, 3, bits=640)
    key = PublicKey.from_n(int(d.n))
    tk = th.ThresholdKey(5, 3, int(d.v), tuple(int(x) for x in d.verification_keys))
    return d, key, tk


def _share(obj) -> th.Share:
    p = obj["proof"]
    return th.Share(obj["trustee"], int(obj["share"], 16), int(p["a"], 16), int(p["b"], 16), int(p["e"], 16),
                    int(p["z"], 16))


def _agg(key, m):
    return int(encrypt_with(key, m, secrets.randbelow(int(key.n) - 2) + 2))


def _shares(d, c, contest="c1", station="s1", who=range(1, 6)):
    return {i: _share(dealer.decryption_share(d, i, c, fingerprint=FP, contest_id=contest, station_id=station))
            for i in who}


def test_key_material_and_widths(setup):
    d, key, tk = setup
    assert th.key_problems(key, tk) == []
    assert th.derive_v(key) == tk.v
    assert th.z_width(key, 5) * 8 >= th.z_bits(key, 5)
    assert gmpy2.is_prime((d.p - 1) // 2) and gmpy2.is_prime((d.q - 1) // 2)


def test_honest_combines_with_any_three_and_all_five(setup):
    d, key, tk = setup
    m = 7 + 5 * (1 << 24)
    c = _agg(key, m)
    shares = _shares(d, c)
    for i, sh in shares.items():
        assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s1", i, c), sh) is None
    for subset in itertools.combinations(range(1, 6), 3):
        assert th.combine(key, tk, {i: shares[i].share for i in subset}) == m
    assert th.combine(key, tk, {i: s.share for i, s in shares.items()}) == m


def test_lagrange_integers():
    lam = th.lagrange([1, 3, 5], th.delta(5))
    assert all(isinstance(x, int) for x in lam.values())
    assert sum(lam.values()) == th.delta(5)  # Σ λ_i = Δ·1 (interpolating the constant 1)
    with pytest.raises(ValueError):
        th.lagrange([1, 1, 2], 120)


def test_wrong_share_refused(setup):
    d, key, tk = setup
    c = _agg(key, 3)
    sh = _shares(d, c, who=[2])[2]
    bad = th.Share(2, sh.share * 4 % key.n2, sh.a, sh.b, sh.e, sh.z)
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s1", 2, c), bad) == \
        "share proof challenge is not the hash of its statement"
    # a share for another value with a recomputed challenge: the hash matches, the equations do not
    other = _share(dealer.decryption_share(d, 2, _agg(key, 4), fingerprint=FP, contest_id="c1", station_id="s1"))
    forged = th.Share(2, other.share, sh.a, sh.b, th.challenge(key, tk, th.ShareStatement(FP, "c1", "s1", 2, c),
                                                                other.share, sh.a, sh.b), sh.z)
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s1", 2, c), forged) == \
        "share proof equations do not hold"


def test_share_moved_to_other_aggregate_or_trustee(setup):
    d, key, tk = setup
    c1, c2 = _agg(key, 1), _agg(key, 2)
    sh = _shares(d, c1, who=[4])[4]
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s1", 4, c2), sh) is not None
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s2", 4, c1), sh) is not None
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c2", "s1", 4, c1), sh) is not None
    moved = th.Share(5, sh.share, sh.a, sh.b, sh.e, sh.z)
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s1", 5, c1), moved) == \
        "share proof challenge is not the hash of its statement"
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s1", 5, c1), sh) is not None


def test_tampered_verification_key(setup):
    d, key, tk = setup
    vks = list(tk.verification_keys)
    vks[2] = vks[2] * tk.v % key.n2
    bad = th.ThresholdKey(5, 3, tk.v, tuple(vks))
    assert th.key_problems(key, bad) == [
        "verification key of trustee 4 is not on the polynomial of trustees 1..3",
        "verification key of trustee 5 is not on the polynomial of trustees 1..3",
        "the verification keys do not combine to the decryption exponent (v^(Δ²·d) ≠ 1 + Δ²·n)"]
    vks = list(tk.verification_keys)
    vks[4] = vks[4] * tk.v % key.n2
    assert th.key_problems(key, th.ThresholdKey(5, 3, tk.v, tuple(vks))) == \
        ["verification key of trustee 5 is not on the polynomial of trustees 1..3"]
    c = _agg(key, 9)
    sh = _shares(d, c, who=[5])[5]
    assert th.verify_share(key, th.ThresholdKey(5, 3, tk.v, tuple(vks)),
                           th.ShareStatement(FP, "c1", "s1", 5, c), sh) is not None
    assert th.key_problems(key, th.ThresholdKey(5, 3, tk.v * 4 % key.n2, tk.verification_keys)) == \
        ["v is not the value derived from n (SPEC §3.9)"]
    assert th.key_problems(key, th.ThresholdKey(5, 6, tk.v, tk.verification_keys))[0].startswith("threshold 6")
    assert th.key_problems(key, th.ThresholdKey(5, 3, tk.v, tk.verification_keys[:4])) == \
        ["4 verification keys for 5 trustees"]
    assert th.key_problems(key, th.ThresholdKey(5, 3, tk.v, (0,) + tk.verification_keys[1:])) == \
        ["verification key of trustee 1 is not a unit in 1..n²−1"]


def test_order_two_factor_in_a_verification_key_changes_no_verdict(setup):
    """SPEC §3.9: the v_i are not tested to be squares, and need not be. −v_5 (−1 is no square, and its Jacobi
    symbol is +1, so nothing without the factors tells it from v_5) passes V1.10 as v_5 does, and trustee 5's honest
    proof holds under it, because the share equations square v_i; a share proof made for another exponent does not."""
    d, key, tk = setup
    assert gmpy2.jacobi(key.n - 1, key.n) == 1
    negated = th.ThresholdKey(5, 3, tk.v, tk.verification_keys[:4] + (key.n2 - tk.verification_keys[4],))
    assert th.key_problems(key, negated) == []
    c = _agg(key, 6)
    st = th.ShareStatement(FP, "c1", "s1", 5, c)
    honest = _share(dealer.decryption_share(dealer.Dealt(d.n, d.p, d.q, 5, 3, d.v, d.shares,
                                                         list(negated.verification_keys)),
                                            5, c, fingerprint=FP, contest_id="c1", station_id="s1"))
    assert th.verify_share(key, negated, st, honest) is None
    shifted = dealer.Dealt(d.n, d.p, d.q, 5, 3, d.v, {**d.shares, 5: d.shares[5] + 1},
                           list(negated.verification_keys))
    wrong = _share(dealer.decryption_share(shifted, 5, c, fingerprint=FP, contest_id="c1", station_id="s1"))
    assert th.verify_share(key, negated, st, wrong) == "share proof equations do not hold"


def test_fewer_than_w_valid_shares(setup):
    d, key, tk = setup
    c = _agg(key, 11)
    shares = _shares(d, c, who=[1, 2])
    with pytest.raises(ValueError, match="2 valid shares, 3 needed"):
        th.combine(key, tk, {i: s.share for i, s in shares.items()})


def test_ranges_before_equations(setup):
    d, key, tk = setup
    c = _agg(key, 1)
    sh = _shares(d, c, who=[1])[1]
    st = th.ShareStatement(FP, "c1", "s1", 1, c)
    assert th.verify_share(key, tk, st, th.Share(1, key.n, sh.a, sh.b, sh.e, sh.z)) == \
        "decryption share is not a unit in 1..n²−1"
    assert th.verify_share(key, tk, st, th.Share(1, sh.share, 0, sh.b, sh.e, sh.z)).startswith("share proof commit")
    assert th.verify_share(key, tk, st, th.Share(1, sh.share, sh.a, sh.b, 1 << 256, sh.z)) == \
        "share proof challenge out of range"
    assert th.verify_share(key, tk, st, th.Share(1, sh.share, sh.a, sh.b, sh.e, 1 << th.z_bits(key, 5))) == \
        "share proof response z out of range"
    assert th.verify_share(key, tk, th.ShareStatement(FP, "c1", "s1", 6, c), th.Share(6, *[1] * 5)) == \
        "trustee 6 is not one of 1..5"


def test_batch(setup):
    d, key, tk = setup
    items = []
    for k in range(4):
        c = _agg(key, k)
        items += [(c, sh) for sh in _shares(d, c, station=f"s{k}", who=[1, 3, 5]).values()]
    assert th.batch_holds(key, tk, items)
    c, sh = items[5]
    items_bad = list(items)
    items_bad[5] = (c, th.Share(sh.trustee, sh.share, sh.a, sh.b, sh.e, sh.z + 1))
    assert not th.batch_holds(key, tk, items_bad)
    # order-2 defect: fails neither the squared individual check nor the batch (consistent verdicts)
    neg = (c, th.Share(sh.trustee, sh.share, key.n2 - sh.a, sh.b, sh.e, sh.z))
    assert th.share_equations_hold(key, tk, c, neg[1]) and th.batch_holds(key, tk, [neg])
    assert th.batch_holds(key, tk, [], rng=random.Random(1))


# --- whole records (the shared key's fault kinds are in the fault matrix, tests/test_faults.py) -----------------


@pytest.fixture
def shared_record(simulated_threshold):
    """The session's record with a key shared 3 of 5 (conftest), and its secrets."""
    return simulated_threshold


def _copy(shared_record, tmp_path):
    out = tmp_path / "record"
    shutil.copytree(shared_record[0], out)
    return out


def _edit_tally(out, secrets_, edit):
    tally = json.loads((out / layout.TALLY).read_text())
    edit(tally["aggregates"])
    eid = json.loads((out / layout.MANIFEST).read_text())["election_id"]
    write_document(out / layout.TALLY, sign_object(secrets_.authorities["commission"], layout.TALLY_TAG, eid, tally,
                                                   "commission_signature"))


def _notes(verdict):
    return [w for w in verdict.warnings if w.startswith("V6.3")]


def test_honest_shared_record_verifies(shared_record):
    v = run_verify(shared_record[0])
    assert v.verified and failing(v) == {}
    assert v.findings.steps["V1.10"].checked == 1 and v.findings.steps["V6.3"].checked > 0
    assert _notes(v) == []


def test_randomness_reveal_under_a_shared_key_is_a_note(shared_record, tmp_path):
    """Revealing R needs λ, the whole private key, which the trustees' shares are meant to keep from any one party:
    the count stays proven (V6.3 holds), and the report says that the key's sharing protected nothing."""
    from verifier.simulate.keys import reveal_randomness
    out = _copy(shared_record, tmp_path)
    s = shared_record[1]
    key = PublicKey.from_n(s.paillier_p * s.paillier_q)

    def edit(aggs):
        for a in aggs[:2]:
            r = reveal_randomness(int(a["ciphertext"], 16), key.n, s.paillier_p, s.paillier_q)
            a["decryption_proof"] = {"method": "randomness_reveal", "r": f"{r:0{2 * key.width}x}"}
    _edit_tally(out, s, edit)
    v = run_verify(out)
    assert v.verified and failing(v) == {}
    (note,) = _notes(v)
    assert note.startswith("V6.3: tally.json, 2 aggregates (first: polling station ")
    assert "decrypted by revealing the randomness" in note and "shared among 5 trustees" in note


def test_threshold_proof_for_unshared_key_is_unreadable(shared_record, tmp_path):
    from verifier.errors import RecordError
    out = _copy(shared_record, tmp_path)
    doc = json.loads((out / layout.ELECTION_KEY).read_text())
    del doc["threshold"]
    write_document(out / layout.ELECTION_KEY, doc)
    with pytest.raises(RecordError, match="tally.json: larger than"):  # refused by its size before it is read
        run_verify(out)
    from verifier.crypto.paillier import PublicKey as PK
    from verifier.record import reader
    key = PK.from_n(int(doc["n"], 16))
    with pytest.raises(RecordError, match="no threshold data"):
        reader.read_tally(out, key, "x")
    with pytest.raises(RecordError, match="z: expected"):  # z of another width than z_width(n, ℓ)
        reader.read_tally(out, key, "x", trustees=6)


def test_committed_fixture_verifies():
    from pathlib import Path
    record = Path(__file__).resolve().parent.parent / "fixtures" / "threshold-small"
    v = run_verify(record)
    assert v.verified and failing(v) == {} and _notes(v) == []
    assert v.findings.steps["V1.10"].checked == 1
    doc = json.loads((record / layout.ELECTION_KEY).read_text())
    assert (doc["threshold"]["trustees"], doc["threshold"]["threshold"]) == (5, 3)
    assert int(doc["n"], 16).bit_length() == 1024
    tally = json.loads((record / layout.TALLY).read_text())
    assert all(a["decryption_proof"]["method"] == "threshold" and len(a["decryption_proof"]["shares"]) == 5
               for a in tally["aggregates"])


def test_scaled_secret_is_caught_by_v110(setup):
    """A dealer sharing d' = 2·d (≡ 0 mod p'q', ≡ 2 mod n) would make every combination decrypt to 2·T: the shares
    and their proofs are all consistent, only V1.10's check of the combined verification keys sees it."""
    d, key, tk = setup
    m = ((d.p - 1) // 2) * ((d.q - 1) // 2)
    scaled = {i: 2 * s % (d.n * m) for i, s in d.shares.items()}
    vks = tuple(int(gmpy2.powmod(d.v, th.delta(5) * scaled[i], key.n2)) for i in range(1, 6))
    assert th.key_problems(key, th.ThresholdKey(5, 3, tk.v, vks)) == [
        "the verification keys do not combine to the decryption exponent (v^(Δ²·d) ≠ 1 + Δ²·n)"]
    c = _agg(key, 5)
    shares = {i: int(gmpy2.powmod(c, 2 * th.delta(5) * scaled[i], key.n2)) for i in (1, 2, 3)}
    assert th.combine(key, th.ThresholdKey(5, 3, tk.v, vks), shares) == 10


def test_known_answer_vector_a7():
    """SPEC.md Appendix A.7, parsed from SPEC.md: the verifier's derive_v, challenge, widths and equations."""
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "SPEC.md").read_text()
    values: dict[str, str] = {}
    for block in text[text.index("## Appendix A."):].split("```")[1::2]:
        for line in block.strip().splitlines():
            if " = " in line:
                name, value = line.split(" = ", 1)
                values.setdefault(name, value)
    def h(name: str) -> int:
        return int(values[name], 16)

    key = PublicKey.from_n(h("n"))
    tk = th.ThresholdKey(3, 2, h("t_v"), (h("t_vk_1"), h("t_vk_2"), h("t_vk_3")))
    assert th.derive_v(key) == tk.v
    assert th.z_width(key, 3) == int(values["t_z_width"]) and len(values["t_z"]) == 2 * th.z_width(key, 3)
    st = th.ShareStatement(bytes.fromhex(values["fingerprint"]), values["contest"], values["station"], 2, h("c"))
    sh = th.Share(2, h("t_share"), h("t_a"), h("t_b"), h("t_e"), h("t_z"))
    assert f"{th.challenge(key, tk, st, sh.share, sh.a, sh.b):064x}" == values["t_digest"] == values["t_e"]
    assert th.verify_share(key, tk, st, sh) is None
    assert th.key_problems(key, tk) == []  # the vector's keys are a consistent sharing of d


def test_absent_trustee_is_one_note_for_all_aggregates(shared_record, tmp_path):
    out = _copy(shared_record, tmp_path)
    count = {}

    def edit(aggs):
        count["n"] = len(aggs)
        for a in aggs:
            a["decryption_proof"]["shares"] = [s for s in a["decryption_proof"]["shares"] if s["trustee"] != 3]
    _edit_tally(out, shared_record[1], edit)
    v = run_verify(out)
    assert v.verified
    (note,) = _notes(v)
    assert f"{count['n']} aggregates (first: polling station" in note
    assert note.endswith("trustee 3's decryption share is not used: no share published (enough valid shares remain)")


# --- V6.3's rules over whole aggregates (checks/tally.py `threshold_problems`) ------------------------------------

def _aggregate(c, plaintext, shares, station="s1"):
    proof = DecryptionProof("threshold", None, tuple(DecryptionShare(s.trustee, s.share, s.a, s.b, s.e, s.z)
                                                     for s in shares))
    return Aggregate(0, "c1", station, 0, c, plaintext, (), proof)


def _problems(setup, aggregates):
    _, key, tk = setup
    return threshold_problems(cast(ElectionContext, SimpleNamespace(key=key, threshold=tk, fingerprint=FP)),
                              aggregates)


def test_threshold_problems_per_aggregate(setup):
    """Each aggregate judged on its own, in order, whatever the one before it had: a plaintext of 0 and exactly w
    valid shares are enough; T = n, a wrong T, fewer than w valid shares are not; a bad share is named with the
    problem its own checks found."""
    d, key, tk = setup
    n = int(key.n)
    zero, eleven = _agg(key, 0), _agg(key, 11)
    s0, s11 = _shares(d, zero), _shares(d, eleven)
    out_of_range = th.Share(2, 0, s11[2].a, s11[2].b, s11[2].e, s11[2].z)
    wrong_equation = _share(dealer.decryption_share(d, 5, _agg(key, 4), fingerprint=FP, contest_id="c1",
                                                    station_id="s1"))
    cases = [
        (_aggregate(eleven, 11, [s11[1], s11[3]]),  # two of three needed: and the ones after still judged
         ("only 2 valid decryption shares, 3 needed", ((2, "no share published"), (4, "no share published"),
                                                       (5, "no share published")))),
        (_aggregate(zero, 0, s0.values()), (None, ())),  # T = 0: no vote for any option
        (_aggregate(eleven, 11, [s11[1], s11[3], s11[5]]),  # exactly w
         (None, ((2, "no share published"), (4, "no share published")))),
        (_aggregate(eleven, n, s11.values()), ("plaintext out of range (0 <= T < n)", ())),
        (_aggregate(eleven, 12, s11.values()), ("the trustees' shares decrypt to another plaintext", ())),
        (_aggregate(eleven, 11, [s11[1], out_of_range, s11[3], s11[4], s11[5]]),
         (None, ((2, "decryption share is not a unit in 1..n²−1"),))),
    ]
    assert _problems(setup, [a for a, _ in cases]) == [want for _, want in cases]
    # a share whose equations fail (its challenge recomputed, so only the equations can tell): the batch over all
    # the aggregates fails, each share is checked alone and only that one is named
    forged = th.Share(5, wrong_equation.share, s11[5].a, s11[5].b,
                      th.challenge(key, tk, th.ShareStatement(FP, "c1", "s1", 5, eleven), wrong_equation.share,
                                   s11[5].a, s11[5].b), s11[5].z)
    got = _problems(setup, [_aggregate(zero, 0, s0.values()),
                            _aggregate(eleven, 11, [s11[1], s11[2], s11[3], s11[4], forged])])
    assert got == [(None, ()), (None, ((5, "share proof equations do not hold"),))]
