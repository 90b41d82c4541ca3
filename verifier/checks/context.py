"""What every per-ballot check needs to know about the election, built once and shipped to every worker."""
from dataclasses import dataclass

from verifier.checks.voters import CompactVoters
from verifier.crypto.paillier import PublicKey, option_message
from verifier.crypto.threshold import ThresholdKey
from verifier.record.model import Contest, Manifest


@dataclass(frozen=True)
class ElectionContext:
    manifest: Manifest
    key: PublicKey
    fingerprint: bytes
    voters: CompactVoters  # the registry index
    station_contests: dict[str, tuple[str, ...]]  # polling station → contests of its ballot style
    contests: dict[str, Contest]
    messages: dict[str, tuple[int, ...]]  # contest → m_0..m_(k-1)
    threshold: ThresholdKey | None = None  # the shared key's public data (V1.10), when the key is shared


def make_context(manifest: Manifest, key: PublicKey, fingerprint: bytes,
                 voters: CompactVoters, threshold: ThresholdKey | None = None) -> ElectionContext:
    styles = {s.id: s.contests for s in manifest.ballot_styles}
    contests = {c.id: c for c in manifest.contests}
    return ElectionContext(
        manifest, key, fingerprint, voters,
        {p.id: styles[p.ballot_style] for p in manifest.polling_stations},
        contests,
        {c.id: tuple(option_message(j) for j in range(len(c.options))) for c in manifest.contests},
        threshold,
    )
