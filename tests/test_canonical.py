"""Canonical JSON: our bytes are RFC 8785 (JCS) bytes for every value a record may hold; strict reading."""
import io
from functools import partial

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from verifier.errors import RecordError
from verifier.record import canonical

ids = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)  # any Unicode but lone surrogates
small_ints = st.integers(min_value=-canonical.MAX_SAFE_INT, max_value=canonical.MAX_SAFE_INT)
values = st.recursive(
    st.none() | st.booleans() | small_ints | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ids, inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_canonical_bytes_are_jcs_bytes(value):
    assert canonical.dumps(value) == rfc8785.dumps(value)


@given(values)
def test_canonical_bytes_parse_back(value):
    data = canonical.dumps(value)
    assert canonical.parse(data, "f", 1) == value


@pytest.mark.parametrize("data,message", [
    (b'{"a":1,"a":2}', "duplicate key 'a'"),
    (b'{"a":1.5}', "non-integer number '1.5'"),
    (b'{"a":NaN}', "NaN is not JSON"),
    (b'{"a":' + b"9" * 17 + b"}", "integer with 17 digits"),
    (b'{"a":9007199254740992}', "beyond 2^53 - 1"),
    (b'{"a":' + b"9" * 1_000_000 + b"}", "integer with 1000000 digits"),
    (b'{"b":1,"a":2}', "not in canonical form"),
    (b'{"a": 1}', "not in canonical form"),
    (b"\xff", "not UTF-8"),
    (b"", "empty"),
    (b'{"a":', "invalid JSON"),
])
def test_strict_reading_rejects(data, message):
    with pytest.raises(RecordError) as e:
        canonical.parse(data, "f.json", 3)
    assert str(e.value).startswith("f.json:3: ") and message in str(e.value)


def test_lines_must_end_with_newline():
    with pytest.raises(RecordError, match="f.jsonl:2: last line has no newline"):
        list(canonical.iter_lines(io.BytesIO(b'{"a":1}\n{"a":2}'), "f.jsonl"))


def test_a_document_has_one_byte_form(tmp_path):
    """A canonical document ends with exactly one newline: the same content never has two SHA-256s (the fuzz tests
    found a head without its newline verifying under another file hash)."""
    import io

    from verifier.errors import RecordError
    from verifier.record.canonical import read_document

    assert read_document(io.BytesIO(b'{"a":1}\n'), "d.json") == {"a": 1}
    for data in (b'{"a":1}', b'{"a":1}\n\n'):
        try:
            read_document(io.BytesIO(data), "d.json")
        except RecordError as e:
            assert e.file == "d.json" and e.line == 1
        else:
            raise AssertionError(data)
    assert read_document(io.BytesIO(b'{"a": 1}'), "mine.json", require_canonical=False) == {"a": 1}


# --- the C path (issue 15): msgspec writes and first reads; it must agree with the json module byte for byte -----

any_keys = st.text(st.characters(exclude_categories=["Cs"]), max_size=6)  # keys of any Unicode: sort order matters
wide_values = st.recursive(
    st.none() | st.booleans() | small_ints | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_keys, inner, max_size=5),
    max_leaves=25,
)


@given(wide_values)
def test_c_serialiser_gives_the_json_module_bytes(value):
    assert canonical.dumps(value) == canonical.dumps_reference(value)


def _outcome(read, data: bytes):
    try:
        return "value", read(data, "f.jsonl", 7)
    except RecordError as e:
        return "refused", str(e)


# JSON texts near the canonical form: canonical bytes of a value, then spliced with what the strict rules refuse
_hostile_pieces = st.sampled_from([b" ", b"\n", b"1.5", b"1e3", b"-0", b"9007199254740992", b"9007199254740991",
                                   b"-9007199254740991", b"1234567890123456", b'"a":1,', b',"a":1', b"\\ud800",
                                   b"\\u00e9", b"\\u0041", b"\\/", b"NaN", b"\xef\xbb\xbf", b"\xff", b"\xc3", b"[",
                                   b"]", b"{", b"}", b'"', b",", b":", b"00", b"true", b"null"])


@given(wide_values, st.lists(st.tuples(st.integers(min_value=0), _hostile_pieces), max_size=3),
       st.integers(min_value=0, max_value=3))
def test_fast_reader_agrees_with_the_strict_reader(value, splices, cut):
    """Whatever the bytes, `parse` (C path first) gives the value or the refusal the json-module reader gives."""
    data = canonical.dumps(value)
    for at, piece in splices:
        at %= len(data) + 1
        data = data[:at] + piece + data[at + cut % 2:]
    for require in (True, False):
        fast = _outcome(partial(canonical.parse, require_canonical=require), data)
        strict = _outcome(partial(canonical.strict_parse, require_canonical=require), data)
        assert fast == strict, data


@pytest.mark.parametrize("data", [b'{"a":1,"a":1}', b'{"a":1.0}', b'{"a":9007199254740992}', b'[-9007199254740992]',
                                  b"[" * 13 + b"]" * 13, b"12345678901234567", b'{"a":"\\ud800"}', b'{"a":"\\u00e9"}',
                                  b'{"a":1e2}'])
def test_what_the_c_path_cannot_vouch_for_goes_to_the_strict_reader(data):
    assert canonical._fast(data) == (False, None)
    assert _outcome(canonical.parse, data) == _outcome(canonical.strict_parse, data)


def test_the_c_path_reads_exactly_fast_depth_levels_and_hands_deeper_ones_on():
    """Its type is built level by level (NewTypes): FAST_DEPTH containers deep is read in C, one more is left to
    the strict reader, which reads it alike."""
    for depth in (canonical.FAST_DEPTH, canonical.FAST_DEPTH + 1):
        arrays = b"[" * depth + b"1" + b"]" * depth
        objects = b'{"a":' * (depth - 1) + b"[]" + b"}" * (depth - 1)  # the innermost [] is a level too
        assert canonical._fast(arrays)[0] is (depth <= canonical.FAST_DEPTH)
        assert canonical._fast(objects)[0] is (depth <= canonical.FAST_DEPTH)
        assert canonical.parse(arrays, "f") == canonical.strict_parse(arrays, "f")
        assert canonical.parse(objects, "f") == canonical.strict_parse(objects, "f")
    assert canonical._fast(b'[9007199254740991,-9007199254740991,"x",null,true]') == \
        (True, [2**53 - 1, -(2**53 - 1), "x", None, True])
    assert canonical._fast(b"[9007199254740992]") == (False, None)
