"""The numbered checks, kept as data: SPEC.md, `tally-verifier checks` and every report read these lists.

Two suites: CHECKS, the V-steps of `verify` over an election record (SPEC.md §4), and PROTOCOL_CHECKS, the P-steps
of `protocols` over paper result protocols (SPEC.md §7). An id never changes meaning; a new step gets a new id.
`section` is the SPEC.md section that defines the step.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    phase: str  # V-steps: the verification phase; P-steps: the family, "protocol" or "hierarchy"
    title: str
    section: str
    suite: str = "record"  # "record" (V-steps) or "protocols" (P-steps)
    # P-steps only: the identity as the reports print it, what "checked" counts there, and both in full for SPEC.md
    identity: str = ""
    counts: str = ""
    definition: str = ""
    counted: str = ""

    @property
    def family(self) -> str:
        """P-steps: "protocol" (one protocol's own arithmetic) or "hierarchy" (protocols against each other)."""
        return self.phase


PHASES = ("setup", "registry", "ballot box", "ballot validity", "counting rules", "tally", "results", "seats")

CHECKS: tuple[Check, ...] = (
    Check("V1.1", "spec-version", "setup", "The record declares a spec version this verifier implements", "4.1"),
    Check("V1.2", "key-structure", "setup",
          "Election key tier 0: at least 2048 bits (unless a declared test record), odd, not prime, "
          "not a perfect power, no prime factor below 2^20", "4.1"),
    Check("V1.3", "key-generator", "setup", "g = n + 1", "4.1"),
    Check("V1.4", "key-proof", "setup", "Tier-1 key-correctness proof: gcd(n, φ(n)) = 1", "4.1"),
    Check("V1.5", "manifest", "setup",
          "Manifest consistency: unique ids (option ids within their contest), every reference resolves, ballot "
          "styles fit the station's territory, every contest in some station's ballot style, options fit the key's "
          "slots, a valid voting period", "4.1"),
    Check("V1.6", "authority-keys", "setup",
          "Every authority key in the manifest is a valid key of its algorithm: Ed25519 canonically encoded, not of "
          "small order and in the prime-order subgroup; ECDSA P-256 a point on the curve", "4.1"),
    Check("V1.7", "key-modulus-proof", "setup",
          "Paillier–Blum modulus proof: n is the product of exactly two distinct primes p ≡ q ≡ 3 (mod 4) with "
          "gcd(n, φ(n)) = 1 (the primes' sizes are not proven: §3.6.3)", "4.1"),
    Check("V1.9", "anchor", "setup",
          "The election fingerprint and the authority keys equal those the commission published before the vote "
          "(verify --expect-fingerprint, --trusted-keys)", "4.1"),
    Check("V1.10", "threshold-key", "setup",
          "Shared key: 1 ≤ w ≤ ℓ ≤ 64, v the value derived from n, every verification key v_i a unit mod n², all on "
          "one polynomial of degree < w, combining to v^(Δ²·d) = 1 + Δ²·n (mod n²)", "3.9"),
    Check("V2.1", "registry-commitment", "registry", "The registry file is the one the manifest commits to", "4.2"),
    Check("V2.2", "registry-signature", "registry", "Every registry line is signed by the registrar", "4.2"),
    Check("V2.3", "voter-id-unique", "registry", "No voter id is registered twice", "4.2"),
    Check("V2.4", "signing-key-unique", "registry",
          "No signing key is registered twice (one person, two registrations)", "4.2"),
    Check("V2.5", "voter-entry", "registry", "The voter's polling station exists and the signing key is a valid key",
          "4.2"),
    Check("V3.1", "voter-registered", "ballot box", "The envelope's voter is registered", "4.3"),
    Check("V3.2", "envelope-signature", "ballot box", "The voter's signature over the envelope is valid", "4.3"),
    Check("V3.3", "election-binding", "ballot box",
          "The envelope names this election, its fingerprint and the voter's registered key", "4.3"),
    Check("V3.4", "ballot-style", "ballot box",
          "The envelope holds exactly the contests of the voter's polling station's ballot style", "4.3"),
    Check("V3.5", "voting-period", "ballot box", "The collector received the envelope within the voting period", "4.3"),
    Check("V3.6", "receipt", "ballot box", "The collector's receipt is signed and hashes this envelope", "4.3"),
    Check("V3.7", "hash-chain", "ballot box", "Receipts are numbered 1, 2, 3, … and each links the previous entry",
          "4.3"),
    Check("V3.8", "box-head", "ballot box",
          "The collector's signed head names the last entry and the number of entries, and closes the box "
          "between the end of the voting period (and the last receipt) and election day", "4.3"),
    Check("V3.9", "ballot-id-unique", "ballot box", "No ballot id appears twice in the ballot box", "4.3"),
    Check("V3.10", "kept-receipts", "ballot box",
          "Every receipt a voter kept (verify --receipts) is in the box unchanged: no ballot dropped, nothing "
          "rewritten after the collector issued it", "4.3"),
    Check("V4.1", "ciphertext", "ballot validity", "Every ciphertext is in range (0 < c < n²) and a unit", "4.4"),
    Check("V4.2", "validity-proof", "ballot validity",
          "Every 1-of-k proof: ranges, units, Fiat–Shamir hash and equations", "4.4"),
    Check("V5.1", "cancellation-signature", "counting rules",
          "Each paper-vote cancellation carries the voter's poll-book signature and the commission's", "4.5"),
    Check("V5.2", "cancellation-voter", "counting rules",
          "Each cancelled voter is registered at that station, voted on paper on election day, and is listed once",
          "4.5"),
    Check("V5.3", "revoting", "counting rules", "Only the voter's last valid e-vote is counted", "4.5"),
    Check("V5.4", "paper-cancellation", "counting rules", "No e-vote of a voter who voted on paper is counted", "4.5"),
    Check("V5.5", "counted-set", "counting rules",
          "The authority's ballot list matches the box both ways: no ghost or invalid ballot counted, no valid "
          "ballot dropped, each ballot listed once", "4.5"),
    Check("V6.1", "tally-signature", "tally", "The tally names this election and is signed by the commission", "4.6"),
    Check("V6.2", "aggregate", "tally",
          "Each aggregate is the product of the counted ciphertexts of its contest and polling station", "4.6"),
    Check("V6.3", "decryption-proof", "tally",
          "Each decryption proof holds: C = (1 + T·n)·Rⁿ mod n², or (threshold) at least w trustees' shares verify "
          "and combine to T (§3.9)", "4.6"),
    Check("V6.4", "counts-decoding", "tally",
          "Each plaintext decodes to the published counts: T < M^k, every count < M, counts sum to the ballots", "4.6"),
    Check("V7.1", "results-signature", "results", "The results name this election and are signed by the commission",
          "4.7"),
    Check("V7.2", "protocol-coverage", "results",
          "Exactly one protocol per unit and level for every contest it covers; no unknown units or contests", "4.7"),
    Check("V7.3", "station-results", "results", "Polling-station counts equal the verified tallies", "4.7"),
    Check("V7.4", "level-sums", "results",
          "District, region and national counts equal the sums of the verified polling-station tallies", "4.7"),
    Check("V7.5", "turnout", "results", "Registered voters, voters who voted and turnout at every level", "4.7"),
    Check("V8.1", "seats", "seats",
          "Announced seats equal the allocation recomputed from the verified counts; each contest's list "
          "names every option once, in manifest order", "4.8"),
)

BY_ID = {c.id: c for c in CHECKS}


def _p(id_: str, name: str, family: str, title: str, identity: str, counts: str, definition: str,
       counted: str | None = None) -> Check:
    return Check(id_, name, family, title, "7", "protocols", identity, counts, definition, counted or counts)


PROTOCOL_CHECKS: tuple[Check, ...] = (
    _p("P1", "ballot-balance", "protocol", "ballot balance",
       "ballots_received = issued_at_station + issued_at_home + unused + spoiled", "protocols",
       "`ballots_received = issued_at_station + issued_at_home + unused + spoiled`"),
    _p("P2", "ballot-box", "protocol", "ballot box", "in_box = valid + invalid", "protocols",
       "`in_box = valid + invalid`"),
    _p("P3", "valid-votes", "protocol", "valid ballots = votes",
       "valid = sum of votes over every option the protocol lists", "protocols",
       "`valid = Σ votes[o]` over every option the line lists (unknown options included; they are P7's)"),
    _p("P4", "box-within-issued", "protocol", "box within issued",
       "in_box <= issued_at_station + issued_at_home", "protocols", "`in_box ≤ issued`"),
    _p("P5", "issued-within-list", "protocol", "issued within list",
       "issued_at_station + issued_at_home <= voters_on_list", "protocols", "`issued ≤ voters_on_list`"),
    _p("P6", "non-negative", "protocol", "no negative figures",
       "every figure and every option's votes >= 0", "protocols",
       "every figure `≥ 0` and every `votes[o] ≥ 0`; one finding per negative value"),
    _p("P7", "contest-options", "protocol", "options of the contest",
       "the keys of votes are exactly the contest's options: none missing, none unknown", "protocols",
       "the keys of `votes` are exactly the contest's options: one finding per missing option (`expected present, "
       "found absent`) and per unknown option"),
    _p("P8", "level-sums", "hierarchy", "level sums",
       "every district, region and nation protocol = the sum of its children's protocols of the same contest, "
       "figure by figure and option by option", "protocols",
       "for every district, region and nation protocol P of contest C: for every figure f, `P.f = Σ K.f`, and for "
       "every option o of C, `P.votes[o] = Σ K.votes[o]`, over the children K: the protocols of C one level below "
       "whose unit's register parent is P's unit (an unregistered unit counts under the parent its line names). An "
       "absent option counts 0 on either side. One finding per figure or option that differs",
       "protocols above polling_station"),
    _p("P9", "register", "hierarchy", "unit and parent in the register",
       "the protocol's unit is in units.jsonl at the protocol's level, and the parent it names is that unit's "
       "parent in the register", "protocols",
       "the line's `unit` is in `units.jsonl` at the file's level, and its `parent` is that unit's register parent"),
    _p("P10", "parent-protocol", "hierarchy", "parent protocol exists",
       "below the contest's top level, the named parent has a protocol of the same contest at the next level",
       "protocols",
       "for every protocol below its contest's top level: a protocol of the same contest for the named `parent` "
       "exists at the next level", "protocols below the top level"),
    _p("P11", "complete", "hierarchy", "no missing protocol",
       "every registered unit in the contest's area, at every level from polling_station up to its top level, "
       "has a protocol of the contest", "units",
       "every unit of the contest's area (at every level from polling_station to `top_level`) has a protocol of "
       "the contest", "(unit, contest) pairs"),
    _p("P12", "no-duplicates", "hierarchy", "no duplicate protocol",
       "at most one protocol per (unit, contest) in the whole directory", "protocols",
       "at most one line per (unit, contest) in the whole directory; every later line is a finding naming the "
       "first"),
    _p("P13", "top-and-scope", "hierarchy", "top-level protocol and scope",
       "the contest's top unit has a protocol at the contest's top level, and no protocol of the contest lies "
       "above that level or outside the top unit's area", "contests",
       "the top unit has a protocol of the contest at `top_level`; no protocol of the contest is above "
       "`top_level`; none belongs (by the register) to a unit outside the contest's area"),
)

SUITES = {"record": CHECKS, "protocols": PROTOCOL_CHECKS}


def markdown_table(suite: str = "record") -> str:
    """The check table of SPEC.md §4 (suite "record") or §7 (suite "protocols"), generated from these lists (tests
    keep SPEC.md in step with them)."""
    if suite == "protocols":
        rows = ["| id | name | family | title | exact identity | checked counts |", "|---|---|---|---|---|---|"]
        rows += [f"| {c.id} | `{c.name}` | {c.family} | {c.title} | {c.definition} | {c.counted} |"
                 for c in PROTOCOL_CHECKS]
        return "\n".join(rows)
    rows = ["| id | name | phase | what is verified | § |", "|---|---|---|---|---|"]
    rows += [f"| {c.id} | `{c.name}` | {c.phase} | {c.title} | {c.section} |" for c in CHECKS]
    return "\n".join(rows)
