"""Canonical JSON: our bytes are RFC 8785 (JCS) bytes for every value a record may hold; strict reading."""
import io

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
