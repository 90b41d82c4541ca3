"""The files of a record and the domain tags of what is signed in them (SPEC.md §2–§3)."""

MANIFEST = "manifest.json"
ELECTION_KEY = "election_key.json"
REGISTRY = "registry.jsonl"
BALLOT_BOX = "ballot_box.jsonl"
BALLOT_BOX_HEAD = "ballot_box_head.json"
CANCELLATIONS = "cancellations.jsonl"
BALLOT_DECISIONS = "tally_ballots.jsonl"
TALLY = "tally.json"
RESULTS = "results.json"
ALL_FILES = (MANIFEST, ELECTION_KEY, REGISTRY, BALLOT_BOX, BALLOT_BOX_HEAD, CANCELLATIONS, BALLOT_DECISIONS, TALLY,
             RESULTS)

# A record published before the tally (SPEC.md §12, `verify --until STAGE`): the files each stage needs; the
# later ones may be absent. STAGE_PHASES: the catalog phases whose checks run up to that stage.
STAGES = ("setup", "registry", "box")
STAGE_FILES = {"setup": (MANIFEST, ELECTION_KEY), "registry": (MANIFEST, ELECTION_KEY, REGISTRY),
               "box": (MANIFEST, ELECTION_KEY, REGISTRY, BALLOT_BOX, BALLOT_BOX_HEAD)}
STAGE_PHASES = {"setup": ("setup",), "registry": ("setup", "registry"),
                "box": ("setup", "registry", "ballot box", "ballot validity")}
STAGE_WORDS = {"setup": "the setup", "registry": "the registry", "box": "the ballot box"}


def files_until(stage: str | None) -> tuple[str, ...]:
    """The files a run up to `stage` reads (None: the whole record)."""
    return ALL_FILES if stage is None else STAGE_FILES[stage]

FINGERPRINT_TAG = "tally-verifier/fingerprint/v1"
GENESIS_TAG = "tally-verifier/ballot-box-genesis/v1"
REGISTRY_TAG = "tally-verifier/registry-entry/v1"
ENVELOPE_TAG = "tally-verifier/envelope/v1"
RECEIPT_TAG = "tally-verifier/receipt/v1"
HEAD_TAG = "tally-verifier/ballot-box-head/v1"
SNAPSHOT_TAG = "tally-verifier/ballot-box-snapshot/v1"  # a head signed while the box is open (SPEC.md §12)
TRACKING_TAG = "tally-verifier/tracking-code/v1"  # a voter's tracking code (SPEC.md §12.2, record/tracking.py)
PAPER_BALLOT_TAG = "tally-verifier/paper-ballot/v1"
CANCELLATION_TAG = "tally-verifier/cancellation/v1"
TALLY_TAG = "tally-verifier/tally/v1"
RESULTS_TAG = "tally-verifier/results/v1"

SUPPORTED_SPEC_VERSIONS = ("1.1",)
