"""Properties (hypothesis) of the record readers, the proof verifiers and the counting-rule comparison."""
import dataclasses
import json
from collections import Counter

import gmpy2
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from verifier.checks.counting import (
    BoxBallot,
    LastVote,
    _DecisionMatcher,
    compare_decisions,
    expected_decision,
)
from verifier.checks.findings import Findings
from verifier.crypto import membership
from verifier.crypto.decryption import randomness_reveal_problem
from verifier.crypto.paillier import (
    SLOT,
    PublicKey,
    decode_counts,
    encrypt_with,
    option_message,
)
from verifier.errors import RecordError
from verifier.record import canonical, layout, reader
from verifier.record.fields import ID_PATTERN, Obj
from verifier.record.model import BallotDecision
from verifier.simulate import prover
from verifier.simulate.keys import generate_paillier, reveal_randomness
from verifier.simulate.randomness import SeededRandom

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def paillier():
    public, private = generate_paillier(528, SeededRandom("properties"))
    return PublicKey.from_n(public.n), private.p, private.q


# ------------------------------------------------------------------------------------------------ canonical JSON

@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_parse_returns_a_value_or_a_record_error(data):
    try:
        canonical.parse(data, "f.json", 7)
    except RecordError as e:
        assert str(e).startswith("f.json:7: ") and "\n" not in str(e)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(st.text("abcxyz", min_size=1, max_size=3),
                                                                          inner, min_size=1, max_size=3),
    max_leaves=10)


@settings(max_examples=200, deadline=None)
@given(json_values, st.data())
def test_any_insignificant_whitespace_is_not_canonical(value, data):
    text = canonical.dumps(value)
    # a place between tokens: right after a structural character
    places = [i + 1 for i, b in enumerate(text) if b in b",:[{" and _outside_strings(text, i)]
    assume(places)
    i = data.draw(st.sampled_from(places))
    with pytest.raises(RecordError, match="not in canonical form"):
        canonical.parse(text[:i] + data.draw(st.sampled_from([b" ", b"\n", b"\t", b"\r"])) + text[i:], "f", 1)


def _outside_strings(text: bytes, index: int) -> bool:
    inside, escaped = False, False
    for b in text[:index]:
        if escaped:
            escaped = False
        elif b == 0x5C:
            escaped = inside
        elif b == 0x22:
            inside = not inside
    return not inside


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=4), st.integers(0, 9), min_size=2, max_size=5))
def test_keys_out_of_order_are_not_canonical(obj):
    keys = sorted(obj)
    reordered = "{" + ",".join(f'"{k}":{obj[k]}' for k in reversed(keys)) + "}"
    with pytest.raises(RecordError, match="not in canonical form"):
        canonical.parse(reordered.encode(), "f", 1)


# ------------------------------------------------------------------------------------------------------ fields

@given(st.one_of(st.integers(-(2**60), 2**60), st.booleans(), st.text(max_size=3), st.none()),
       st.integers(-5, 5), st.integers(0, 10))
def test_integer_accepts_exactly_the_range(value, lo, width):
    hi = lo + width
    o = Obj({"k": value}, "f", 1)
    ok = isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
    if ok:
        assert o.integer("k", lo, hi) == value
    else:
        with pytest.raises(RecordError, match="^f:1: k: "):
            o.integer("k", lo, hi)


@given(st.text(max_size=70))
def test_ident_accepts_exactly_ascii_identifiers(text):
    o = Obj({"id": text}, "f", 2)
    if ID_PATTERN.fullmatch(text) and text.isascii():
        assert o.ident("id") == text
    else:
        with pytest.raises(RecordError, match="^f:2: id: "):
            o.ident("id")


@given(st.text(alphabet="0123456789abcdefABCDEFxg ", max_size=12), st.integers(1, 5))
def test_hex_bytes_is_exactly_lowercase_hex_of_the_length(text, length):
    o = Obj({"h": text}, "f", 1)
    if len(text) == 2 * length and all(c in "0123456789abcdef" for c in text):
        assert o.hex_bytes("h", length) == bytes.fromhex(text)
    else:
        with pytest.raises(RecordError, match="^f:1: h: "):
            o.hex_bytes("h", length)


# ------------------------------------------------------------------------------------------------------ readers

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,20}", fullmatch=True)


@SETTINGS
@given(st.lists(st.tuples(ids, ids, st.sampled_from(["ed25519", "ecdsa-p256"]), st.binary(min_size=33, max_size=33),
                          st.binary(min_size=64, max_size=64)), max_size=5))
def test_registry_lines_read_back_exactly(tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("registry")
    lines = []
    for vid, station, algorithm, key, sig in rows:
        key = key[:32] if algorithm == "ed25519" else key
        lines.append({"voter_id": vid, "polling_station": station, "algorithm": algorithm, "public_key": key.hex(),
                      "registrar_signature": sig.hex()})
    (root / layout.REGISTRY).write_bytes(b"".join(canonical.dumps(x) + b"\n" for x in lines))
    voters = list(reader.iter_registry(root, "e1"))
    assert [(v.line, v.voter_id, v.polling_station, v.algorithm, v.public_key.hex(), v.registrar_signature.hex())
            for v in voters] == [(i, x["voter_id"], x["polling_station"], x["algorithm"], x["public_key"],
                                  x["registrar_signature"]) for i, x in enumerate(lines, 1)]
    for v, x in zip(voters, lines, strict=True):
        body = canonical.dumps({k: x[k] for k in x if k != "registrar_signature"})
        assert v.signed_bytes == b"tally-verifier/registry-entry/v1\ne1\n" + body


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:2]):
            yield from _leaves(v, (*path, i))
    else:
        yield path


@pytest.fixture(scope="module")
def box_line(simulated):
    raw = (simulated[0] / layout.BALLOT_BOX).read_bytes().splitlines()[0]
    key = json.loads((simulated[0] / layout.ELECTION_KEY).read_bytes())
    return raw, PublicKey.from_n(int(key["n"], 16))


@SETTINGS
@given(st.data(), st.sampled_from([None, True, 7, -1, [], {}, "x"]))  # (floats never reach the schema: see fuzz)
def test_a_box_field_of_the_wrong_type_is_named(box_line, data, replacement):
    raw, key = box_line
    value = json.loads(raw)
    path = data.draw(st.sampled_from(list(_leaves(value))))
    node = value
    for k in path[:-1]:
        node = node[k]
    assume(type(node[path[-1]]) is not type(replacement))
    node[path[-1]] = replacement
    text = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(RecordError) as e:
        reader.read_box_entry(9, text, key, "demo-2023")
    message = str(e.value)
    assert message.startswith("ballot_box.jsonl:9: ") and "\n" not in message
    assert str(next(k for k in reversed(path) if isinstance(k, str))) in message


# ----------------------------------------------------------------------------------------- validity proof (§3.5)

statement_fields = st.fixed_dictionaries({
    "k": st.integers(1, 6), "fp": st.binary(min_size=32, max_size=32), "ctx": st.binary(min_size=32, max_size=32),
    "ballot": st.binary(min_size=16, max_size=16), "contest": ids, "seed": st.integers(0, 2**32)})


def _proof(paillier, f, index=None, message=None):
    key, _, _ = paillier
    rng = SeededRandom(f["seed"])
    messages = tuple(option_message(j) for j in range(f["k"]))
    index = f["seed"] % f["k"] if index is None else index
    m = messages[index] if message is None else message
    c, r = prover.encrypt(key, m % key.n, rng)
    st_ = membership.Statement(f["fp"], f["contest"], messages, f["ctx"], f["ballot"], int(c))
    a, e, z = prover.prove(key, st_, index, r, rng)
    return st_, list(a), list(e), list(z)


@SETTINGS
@given(statement_fields)
def test_honest_proofs_verify(paillier, f):
    st_, a, e, z = _proof(paillier, f)
    assert membership.verify(paillier[0], st_, a, e, z) is None


@SETTINGS
@given(statement_fields, st.sampled_from(["c", "a", "e", "z", "fp", "ctx", "ballot", "contest", "messages"]),
       st.integers(0, 5))
def test_any_single_change_breaks_the_proof(paillier, f, what, j):
    key = paillier[0]
    st_, a, e, z = _proof(paillier, f)
    j %= f["k"]
    if what == "c":  # re-randomised: the same plaintext, another ciphertext
        st_ = membership.Statement(st_.fingerprint, st_.contest_id, st_.messages, st_.voter_context, st_.ballot_id,
                                   int(st_.ciphertext * gmpy2.powmod(3, key.n, key.n2) % key.n2))
    elif what == "a":
        a[j] = int(a[j] * 4 % key.n2)
    elif what == "e":
        e[j] = (e[j] + 1) % membership.CHALLENGE_MOD
    elif what == "z":
        z[j] = int(z[j] * 2 % key.n)
    elif what == "messages":
        st_ = membership.Statement(st_.fingerprint, st_.contest_id, (*st_.messages[:-1], st_.messages[-1] * 2),
                                   st_.voter_context, st_.ballot_id, st_.ciphertext)
    else:
        field = {"fp": "fingerprint", "ctx": "voter_context", "ballot": "ballot_id", "contest": "contest_id"}[what]
        old = getattr(st_, field)
        new = old + "x" if isinstance(old, str) else bytes([old[0] ^ 1]) + old[1:]
        st_ = dataclasses.replace(st_, **{field: new})
    assert membership.verify(key, st_, a, e, z) is not None


@SETTINGS
@given(statement_fields, st.integers(0, 5))
def test_the_order_two_twin_of_z_is_accepted(paillier, f, j):
    """z_j → n − z_j changes no plaintext and passes the normative squared check (crypto.md §2): a malleability of
    the proof bytes, not of the vote — one reason ballots are identified by ballot id, never by proof bytes."""
    key = paillier[0]
    st_, a, e, z = _proof(paillier, f)
    z[j % f["k"]] = int(key.n - z[j % f["k"]])
    assert membership.verify(key, st_, a, e, z) is None


@SETTINGS
@given(statement_fields, st.sampled_from(["two", "negative", "unknown", "zero"]))
def test_a_message_outside_the_set_never_verifies(paillier, f, kind):
    key = paillier[0]
    k = f["k"]
    message = {"two": option_message(0) + option_message(k - 1) + (k == 1), "negative": -option_message(0),
               "unknown": option_message(k), "zero": 0}[kind]
    for index in range(k):  # whichever branch the prover pretends is the true one
        st_, a, e, z = _proof(paillier, f, index=index, message=message)
        assert membership.verify(key, st_, a, e, z) is not None


# ------------------------------------------------------------------------------------------- decryption (§3.7)

@SETTINGS
@given(st.integers(0, 2**64), st.integers(1, 2**40), st.integers(-3, 3))
def test_the_decryption_proof_binds_the_plaintext(paillier, t, s, delta):
    key, p, q = paillier
    c = encrypt_with(key, t, s)
    r = reveal_randomness(c, key.n, p, q)
    assert randomness_reveal_problem(key, c, t, r) is None
    if delta:
        for forged in (r, reveal_randomness(c * gmpy2.invert(1 + delta * key.n, key.n2) % key.n2, key.n, p, q),
                       (r * 2) % key.n):
            assert randomness_reveal_problem(key, c, t + delta if t + delta >= 0 else t + delta + key.n,
                                             int(forged)) is not None


@given(st.lists(st.integers(0, SLOT - 1), min_size=1, max_size=12))
def test_counts_decode_from_their_packing(counts):
    packed = sum(n * option_message(j) for j, n in enumerate(counts))
    assert decode_counts(packed, len(counts)) == counts
    assert decode_counts(packed + option_message(len(counts)), len(counts)) is None
    assert decode_counts(-1, len(counts)) is None


# -------------------------------------------------------------------------------- counting rules: the list (§2.7)

box_strategy = st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=1, max_size=25)


@settings(max_examples=400, deadline=None)
@given(box_strategy, st.sets(st.integers(0, 4)),
       st.sampled_from(["none", "drop", "ghost", "repeat", "swap", "shuffle", "change"]), st.data())
def test_the_list_is_matched_so_that_one_fault_is_named_once(box, cancelled_ids, perturbation, data):
    ballots = [BoxBallot(i + 1, i.to_bytes(16, "big"), f"V{v}", valid) for i, (v, valid) in enumerate(box)]
    last = LastVote()
    for b in ballots:
        last.feed(b)
    cancelled = {f"V{v}" for v in cancelled_ids}
    listed = [(b.ballot_id, *expected_decision(b, last, cancelled)) for b in ballots]
    n = len(listed)
    k = data.draw(st.integers(0, n - 1))
    where = None
    if perturbation == "drop":
        dropped = listed.pop(k)
    elif perturbation == "ghost":
        listed.insert(k, (b"\xff" * 16, "counted", None))
    elif perturbation == "repeat":
        listed.insert(k + 1, listed[k])
    elif perturbation == "swap":
        assume(n > 1 and k < n - 1)
        listed[k], listed[k + 1] = listed[k + 1], listed[k]
    elif perturbation == "shuffle":  # any order: named once, at the first line out of place
        order = data.draw(st.permutations(range(n)))
        assume(order != list(range(n)))
        listed = [listed[i] for i in order]
        k = next(i for i, j in enumerate(order) if i != j)
    elif perturbation == "change":
        old = listed[k][1:]
        new = data.draw(st.sampled_from([x for x in [("counted", None), ("excluded", "invalid"),
                                                     ("excluded", "superseded"), ("excluded", "cancelled")]
                                         if x != old]))
        listed[k] = (listed[k][0], *new)
        where = new
    decisions = [BallotDecision(i + 1, bid, status, reason) for i, (bid, status, reason) in enumerate(listed)]
    f = Findings()
    counted = list(compare_decisions(iter(ballots), iter(decisions), last, cancelled, f))
    # what counts is the rules' business, whatever the list says
    assert counted == [b for b in ballots if expected_decision(b, last, cancelled)[0] == "counted"]
    failures = f.failures()
    if perturbation == "none":
        assert failures == []
        return
    assert len(failures) == 1, [(x.check, x.location, x.message) for x in failures]
    [x] = failures
    loc = x.location
    if perturbation == "drop":
        assert (x.check, loc.ballot_id, loc.line) == ("V5.5", dropped[0].hex(), None) and "missing" in x.message
    elif perturbation == "ghost":
        assert (x.check, loc.ballot_id, loc.line) == ("V5.5", "ff" * 16, k + 1) and "not in the ballot box" in x.message
    elif perturbation == "repeat":
        assert (x.check, loc.ballot_id, loc.line) == ("V5.5", listed[k][0].hex(), k + 2)
    elif perturbation in ("swap", "shuffle"):
        assert (x.check, loc.file, loc.line) == ("V5.5", layout.BALLOT_DECISIONS, k + 1)
        assert "not in box order" in x.message
    else:
        should = expected_decision(ballots[k], last, cancelled)[1]
        rule = {"superseded": "V5.3", "cancelled": "V5.4"}.get(should, "V5.5") if where[0] == "counted" else "V5.5"
        assert (x.check, loc.ballot_id, loc.line) == (rule, ballots[k].ballot_id.hex(), k + 1)


def _box_index(ballots):
    """The index pass 1 builds (BoxSequence.ballot_lines and .repeats)."""
    first, repeats = {}, {}
    for b in ballots:
        if first.setdefault(b.ballot_id, b.line) != b.line:
            repeats[b.ballot_id] = repeats.get(b.ballot_id, 0) + 1
    return first, repeats


def _compare(ballots, decisions, last, cancelled, index):
    f = Findings()
    counted = list(compare_decisions(iter(ballots), iter(decisions), last, cancelled, f, *index))
    failures = sorted((x.check, x.location.line or 0, x.location.ballot_id or "", x.message) for x in f.failures())
    return counted, failures, {c: (s.checked, s.failed) for c, s in f.steps.items()}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.booleans()), min_size=0, max_size=20),
       st.lists(st.tuples(st.integers(0, 7), st.sampled_from([("counted", None), ("excluded", "invalid"),
                                                              ("excluded", "superseded")])), max_size=25),
       st.sets(st.integers(0, 3)))
def test_ghost_lines_judged_at_once_give_the_same_findings(box, listed, cancelled_ids):
    """With the box's index, lines that can never match are reported as they come instead of kept to the end;
    the findings, the counts and the counted ballots are exactly those of the matching without the index, also
    with repeated ballot ids in the box and in the list (ids 6 and 7 are ghosts)."""
    ballots = [BoxBallot(i + 1, bid.to_bytes(16, "big"), f"V{v}", valid) for i, (bid, v, valid) in enumerate(box)]
    last = LastVote()
    for b in ballots:
        last.feed(b)
    cancelled = {f"V{v}" for v in cancelled_ids}
    decisions = [BallotDecision(i + 1, bid.to_bytes(16, "big"), status, reason)
                 for i, (bid, (status, reason)) in enumerate(listed)]
    assert _compare(ballots, decisions, last, cancelled, ()) == \
        _compare(ballots, decisions, last, cancelled, _box_index(ballots))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.tuples(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=20),
                           st.lists(st.integers(0, 7), max_size=25)),
                 # few ids: ballots repeated in the box, listed more often than it holds them
                 st.tuples(st.lists(st.tuples(st.integers(0, 1), st.booleans()), min_size=1, max_size=6),
                           st.lists(st.integers(0, 2), max_size=20))))
def test_list_lines_kept_waiting_never_outnumber_the_box(case):
    """Memory follows the box, not the list (hostile input): a list line is kept waiting only while a box line of
    its ballot is still ahead for it, so the lines waiting for a ballot id never outnumber the box lines holding it
    (none for a ghost: ids 6 and 7); the others are reported as they are read, the rest at the end."""
    box, listed = case
    ballots = [BoxBallot(i + 1, bid.to_bytes(16, "big"), f"V{i}", valid) for i, (bid, valid) in enumerate(box)]
    decisions = iter([BallotDecision(i + 1, bid.to_bytes(16, "big"), "counted", None) for i, bid in enumerate(listed)])
    last = LastVote()
    for b in ballots:
        last.feed(b)
    in_box = Counter(b.ballot_id for b in ballots)
    matcher = _DecisionMatcher(last, set(), Findings(), *_box_index(ballots), None)

    def within_bound() -> bool:
        return all(len(waiting) <= in_box[bid] for bid, waiting in matcher.unmatched.items())

    for b in ballots:  # compare_decisions' loop, watched after every step
        matcher.box_ballot(b, next(decisions, None))
        assert within_bound(), b.line
    matcher.box_read()
    for d in decisions:
        matcher.list_line(d)
        assert within_bound(), d.line


_two = st.integers(min_value=0, max_value=99).map(lambda x: f"{x:02d}")


@given(st.integers(min_value=0, max_value=9999).map(lambda x: f"{x:04d}"), _two, _two, _two, _two, _two)
def test_times_read_by_slicing_as_strptime_reads_them(year, month, day, hour, minute, second):
    """Obj.timestamp and the receipt delay read times by slicing (issue 15): every string of the fixed form is
    accepted exactly when strptime accepts it, and gives the same second since the epoch."""
    from datetime import datetime, timezone

    from verifier.checks.ballot_box import _seconds

    t = f"{year}-{month}-{day}T{hour}:{minute}:{second}Z"
    try:
        expected = int(datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
    except ValueError:
        expected = None
    try:
        got = Obj({"t": t}, "f", 1).timestamp("t")
    except RecordError as e:
        assert expected is None and str(e) == f"f:1: t: {t!r} is not a valid UTC time"
    else:
        assert got == t and _seconds(t) == expected


_hex_items = st.lists(st.one_of(st.binary(min_size=4, max_size=4).map(bytes.hex),
                                st.binary(min_size=4, max_size=4).map(lambda b: b.hex().upper()),
                                st.text("0123456789abcdefABCDEF g", min_size=7, max_size=9), st.integers()),
                      max_size=5)


@given(_hex_items)
def test_hex_arrays_read_at_once_as_item_by_item(values):
    """Obj.hex_ints reads a whole array in one C call when it can (issue 15): same integers, and the same refusal
    naming the same item, as reading item by item."""
    def item_by_item():
        out = []
        for i, v in enumerate(values):
            out.append(Obj({"x": v}, "f", 1, f"a[{i}]").hex_int("x", 4))
        return tuple(out)

    def outcome(read):
        try:
            return read()
        except RecordError as e:
            return str(e).replace(".x:", ":").replace("a[", "v[")

    expected = outcome(item_by_item)
    got = outcome(lambda: Obj({"v": values}, "f", 1).hex_ints("v", 4))
    if isinstance(expected, tuple):
        assert got == expected
    else:
        assert got == expected
