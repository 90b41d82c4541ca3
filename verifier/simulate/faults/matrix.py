"""The fault matrix as data, one row per kind: the actor, what the fault is, the checks that fail (and no other),
the parts of the secrets it needs ("authority", "paillier", "voters", "trustees"), why more than one check fails (or
how the fault can be seen at all), whether only the receipts voters kept (receipts), the fingerprint published
before the vote (anchored) or an earlier snapshot of the box the collector published (snapshot: `diff EARLIER OUT`)
show it, which simulated record it is injected into (record: "standard", decrypted by
randomness reveal, or "threshold", a key shared among trustees) and whether the verifier names it in the report's
warnings while the record still verifies (noted). Nothing but data: the injector of each kind is looked up by kind
(INJECTORS of the modules beside this one); SPEC.md §9 is generated from these rows (`tally-verifier tamper --list
--markdown`)."""

from typing import Required, TypedDict

UNREGISTERED = "a registry line that fails registers nobody (§4.2), so the id's ballot fails V3.1; the " \
    "commission counts it: its list (V5.5), each aggregate holding it (V6.2, product and number of ballots), and " \
    "registered voters and voters-voted at the station and every level above (V7.5) are each wrong"
REGISTERS_NOBODY = "a line that fails it registers nobody (§4.2): the commission's registered voters count one " \
                   "voter too many at the station and every level above (V7.5)"
COUNTED = "the commission counts what the rules exclude: its list (V5.5), each aggregate holding it (V6.2, product " \
          "and number of ballots) and voters-voted at the station and every level above (V7.5) are each wrong"
SNAPSHOT = "each box alone is consistent: only the earlier snapshot shows it (`diff EARLIER OUT` names the " \
    "first line where OUT departs from it, as a break of the chain the earlier signed head committed to; " \
    "`verify --state` refuses OUT as a fork)"


class Row(TypedDict, total=False):
    """One row of the matrix: the fields of faults.Fault but its injector."""

    kind: Required[str]
    actor: Required[str]
    title: Required[str]
    checks: Required[tuple[str, ...]]
    needs: Required[tuple[str, ...]]
    why: str
    receipts: bool
    anchored: bool
    snapshot: bool
    record: str
    noted: bool


ALL = ('authority', 'paillier', 'voters')  # every part of the secrets of a key with a single holder
NOTED = ("at least w valid shares remain, so the aggregate verifies and the record too: the report's warnings name "
         "the trustee, contest and polling station (§4.6)")

ROWS: tuple[Row, ...] = (
    Row(kind='key-small-factor', actor='key holder', checks=('V1.2',), needs=ALL,
        title="election key n with the prime factor 65539 (above tier 1's bound, ≡ 3 mod 4)"),
    Row(kind='key-three-primes', actor='key holder', checks=('V1.7',), needs=ALL,
        title='election key n = p·q·r, r a prime just above 2^20, with a valid tier-1 proof',
        why='one finding per round of the modulus proof that has no fourth root (about half of them)'),
    Row(kind='key-modulus-proof', actor='key holder', checks=('V1.7',), needs=ALL,
        title='one value of the modulus proof altered'),
    Row(kind='record-replaced', actor='anyone', checks=('V1.9',), needs=ALL,
        title='the whole record set up again under a new election key: consistent in itself',
        why=('every other step passes: only the fingerprint the commission published before the vote (verify '
             '--expect-fingerprint) tells the record from the real one'),
        anchored=True),
    Row(kind='key-generator', actor='key holder', checks=('V1.3',), needs=ALL,
        title='election key published with g ≠ n + 1'),
    Row(kind='key-proof', actor='key holder', checks=('V1.4',), needs=ALL,
        title='tier-1 key-correctness proof value altered'),
    Row(kind='ghost-voter', actor='registrar', checks=('V2.1',), needs=('authority', 'paillier'),
        title='voter added to the registry after the manifest committed to it (re-signed)'),
    Row(kind='ghost-voter-votes', actor='registrar', checks=('V2.1',), needs=('authority', 'paillier'),
        title='the ghost voter of ghost-voter also casts a counted ballot'),
    Row(kind='double-registration', actor='registrar', checks=('V2.4', 'V3.1', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title='one person registered twice (same key, two voter ids), both vote',
        why=("the second line registers nobody (V2.4), so the id's ballot fails V3.1; the commission counts it: "
             'its list (V5.5), each aggregate holding it (V6.2, product and number of ballots), and registered '
             'voters and voters-voted at the station and every level above (V7.5) are each wrong')),
    Row(kind='small-order-key', actor='registrar', checks=('V2.5', 'V3.1', 'V5.5', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title=('voter registered with the Ed25519 identity key; a ballot forged in its name (R = identity, S = 0), '
               'counted'),
        why=UNREGISTERED),
    Row(kind='twin-key', actor='registrar', checks=('V2.5', 'V3.1', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title=("a voter's key A registered again as the mixed-order twin A + T under a second id; both vote, the "
               "twin's ballot signed with A's secret, counted"),
        why=UNREGISTERED),
    Row(kind='authority-key-small-order', actor='commission',
        checks=('V1.6', 'V5.1', 'V5.5', 'V6.1', 'V6.2', 'V7.1', 'V7.5'),
        needs=('authority', 'paillier'),
        title=("the commission's key in the manifest replaced by the identity point, everything it signs forged "
               'with R = identity, S = 0'),
        why=('no signature under an invalid key verifies, so each document the commission signed fails its own '
             'check (V5.1 every cancellation, V6.1, V7.1); without valid cancellations the e-votes they excluded '
             'count by the rules: the list (V5.5), the aggregates (V6.2) and voters-voted (V7.5) follow the wrong '
             'list')),
    Row(kind='ghost-ballot', actor='collector', checks=('V3.2', 'V5.5', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title='ballot of a registered voter who never voted, under a forged signature, counted',
        why=COUNTED),
    Row(kind='foreign-signature', actor='collector', checks=('V3.2', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title="a voter's ballot signed with another voter's key, counted",
        why=COUNTED),
    Row(kind='contest-outside-style', actor='voter client', checks=('V3.4', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title="ballot for a contest outside the voter's ballot style, counted",
        why=COUNTED),
    Row(kind='outside-voting-period', actor='voter client', checks=('V3.5', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title='envelope cast and received after e-voting closed, counted',
        why=COUNTED),
    Row(kind='ballot-dropped', actor='collector', checks=('V3.7',), needs=('authority', 'paillier'),
        title='valid ballot dropped from the box (list, tally, results, head recomputed)'),
    Row(kind='ballot-dropped-rechained', actor='collector', checks=('V3.10',), needs=('authority', 'paillier'),
        title='valid ballot dropped and the hash chain renumbered, relinked and re-signed',
        why=('the record alone is consistent; the receipts voters kept show the dropped ballot, and that every '
             'later receipt no longer matches (one finding for the rewrite)'),
        receipts=True),
    Row(kind='box-truncated', actor='collector', checks=('V3.10',), needs=('authority', 'paillier'),
        title='the last ballot cut off the box, head re-signed',
        why="the record alone is consistent; only the voter's receipt shows it",
        receipts=True),
    Row(kind='snapshot-entry-removed', actor='collector', checks=('V3.7',), needs=('authority', 'paillier'),
        title=('a ballot in the snapshot the collector published during the vote is missing from the later box '
               '(re-chained, re-signed, recounted)'),
        why=SNAPSHOT, snapshot=True),
    Row(kind='snapshot-entry-altered', actor='collector', checks=('V3.7',), needs=('authority', 'paillier'),
        title="an entry of the published snapshot altered in the later box (its receipt time, receipt re-signed)",
        why=SNAPSHOT, snapshot=True),
    Row(kind='snapshot-entries-reordered', actor='collector', checks=('V3.7',), needs=('authority', 'paillier'),
        title='two adjacent entries of the published snapshot swapped in the later box (chain re-signed)',
        why=SNAPSHOT, snapshot=True),
    Row(kind='snapshot-fork', actor='collector', checks=('V3.7',), needs=('authority',),
        title=('a fork: one observer was shown a snapshot without a ballot (re-chained, signed), the box published '
               'holds it'),
        why=SNAPSHOT, snapshot=True),
    Row(kind='duplicate-ballot', actor='collector', checks=('V3.9', 'V5.5', 'V6.2'), needs=('authority', 'paillier'),
        title='a ballot appears twice in the box, both counted',
        why=("the repeat is not a ballot (V3.9); counting it is the commission's error (V5.5) and puts it twice "
             "into its station's aggregates (V6.2)")),
    Row(kind='revote-reordered', actor='collector', checks=('V3.7',), needs=('authority', 'paillier'),
        title="receipts reordered so that a voter's earlier e-vote becomes the last"),
    Row(kind='revote-reordered-retimed', actor='collector', checks=('V3.5', 'V5.5', 'V6.2'),
        needs=('authority', 'paillier'),
        title="as revote-reordered, with the moved receipt's time pushed up to keep the chain's times in order",
        why=("the moved ballot's receipt comes too late after its signed cast time (V3.5), so it is invalid and "
             "the voter's other e-vote counts by the rules: the commission's list is wrong on both (V5.5) and its "
             'aggregates hold the other ciphertexts (V6.2)')),
    Row(kind='ciphertext-altered', actor='collector', checks=('V3.2', 'V4.2', 'V5.5', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title="a counted ballot's ciphertext changed to another vote (homomorphically)",
        why=("the voter's signature covers the ciphertext (V3.2) and so does the proof (V4.2); then the commission "
             'counts what the rules exclude: its list (V5.5), each aggregate holding it (V6.2, product and number '
             'of ballots) and voters-voted at the station and every level above (V7.5) are each wrong')),
    Row(kind='ciphertext-zero', actor='voter client', checks=('V4.1', 'V4.2'), needs=ALL,
        title='a ciphertext of 0 (excluded as invalid by the commission)',
        why='a proof about a non-ciphertext fails its own range check'),
    Row(kind='ciphertext-not-unit', actor='voter client', checks=('V4.1', 'V4.2'), needs=ALL,
        title='a ciphertext sharing the factor p with n (excluded as invalid)',
        why='a proof about a non-unit fails its own unit check'),
    Row(kind='ciphertext-too-large', actor='voter client', checks=('V4.1', 'V4.2'), needs=ALL,
        title='a ciphertext ≥ n² (excluded as invalid)',
        why='a proof about a non-ciphertext fails its own range check'),
    Row(kind='proof-value-altered', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title='a proof value (z_0) altered, counted',
        why=COUNTED),
    Row(kind='proof-value-not-unit', actor='key holder', checks=('V4.2', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title='a proof value (the last z) sharing the factor p with n, counted',
        why=('only who knows p can make such a value, and it takes the batch test outside the group where it is '
             "sound: the chunk's unit check (a gcd) fails, and the ballot is named by its own check (V4.2); then "
             + COUNTED)),
    Row(kind='proof-other-ballot', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2'), needs=ALL,
        title="a re-vote reusing the ciphertext and proof of the voter's own earlier ballot, counted",
        why=('the re-vote is invalid (V4.2), so the earlier ballot counts by the rules: the list is wrong on both '
             "(V5.5) and the aggregates of the other contests hold the re-vote's ciphertexts (V6.2)")),
    Row(kind='proof-other-voter', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title="ciphertext and proof copied from another voter's ballot, counted",
        why=COUNTED),
    Row(kind='proof-other-contest', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title='proof made for another contest, counted',
        why=COUNTED),
    Row(kind='proof-other-election', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2', 'V7.5'), needs=ALL,
        title='proof made for another election, counted',
        why=COUNTED),
    Row(kind='two-votes', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2', 'V6.4', 'V7.5'), needs=ALL,
        title='ballot encrypting two votes, proof made for a different statement, counted',
        why=COUNTED + '; and the decrypted counts no longer sum to the ballots (V6.4)'),
    Row(kind='negative-vote', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2', 'V6.4', 'V7.5'), needs=ALL,
        title='ballot encrypting −1 vote, proof made for a different statement, counted',
        why=COUNTED + '; and the decrypted counts no longer sum to the ballots (V6.4)'),
    Row(kind='unknown-option', actor='voter client', checks=('V4.2', 'V5.5', 'V6.2', 'V6.4', 'V7.5'), needs=ALL,
        title=('ballot encrypting a vote for an option that does not exist, proof made for a different statement, '
               'counted'),
        why=COUNTED + "; and the plaintext no longer fits the contest's slots (V6.4)"),
    Row(kind='paper-voter-counted', actor='commission', checks=('V5.4', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title='e-vote counted although the voter voted on paper',
        why='the aggregates (V6.2) and voters-voted (V7.5) follow the wrong list'),
    Row(kind='superseded-counted', actor='commission', checks=('V5.3', 'V6.2'), needs=('authority', 'paillier'),
        title="a superseded e-vote counted as well as the voter's last",
        why='the aggregates (V6.2) follow the wrong list'),
    Row(kind='fake-cancellation', actor='commission', checks=('V5.1', 'V5.5', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title='cancellation list names a voter who never voted on paper (re-signed); the e-vote is excluded',
        why=("the commission cannot forge the voter's poll-book signature (V5.1); the e-vote it excluded counts by "
             'the rules (V5.5), and the aggregates (V6.2) and voters-voted (V7.5) follow the wrong list')),
    Row(kind='valid-ballot-excluded', actor='commission', checks=('V5.5', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title='a valid e-vote excluded as invalid',
        why='the aggregates (V6.2) and voters-voted (V7.5) follow the list'),
    Row(kind='counted-ghost', actor='commission', checks=('V5.5', 'V6.2', 'V7.5'), needs=('authority', 'paillier'),
        title='the counted list names a ballot that is not in the box, and the tally includes it',
        why='the aggregates (V6.2) and voters-voted (V7.5) follow the wrong list'),
    Row(kind='counted-missing', actor='commission', checks=('V5.5', 'V6.2', 'V7.5'), needs=('authority', 'paillier'),
        title='a valid box ballot missing from the counted list and the tally',
        why='the aggregates (V6.2) and voters-voted (V7.5) follow the list'),
    Row(kind='tally-includes-excluded', actor='commission', checks=('V6.2',), needs=('authority', 'paillier'),
        title='the list truly excludes a cancelled e-vote but the tally includes it'),
    Row(kind='aggregate-altered', actor='commission', checks=('V6.2',), needs=('authority', 'paillier'),
        title='an aggregate ciphertext altered (one vote moved), decrypted and proved'),
    Row(kind='decryption-off-by-one', actor='commission', checks=('V6.3',), needs=('authority', 'paillier'),
        title='decrypted count off by one with a forged decryption proof'),
    Row(kind='tally-counts-wrong', actor='commission', checks=('V6.4',), needs=('authority', 'paillier'),
        title='a published count differs from the decrypted plaintext'),
    Row(kind='station-count-wrong', actor='commission', checks=('V7.3',), needs=('authority',),
        title=('announced count wrong at one polling station (levels above left as they were: the levels do not '
               'sum)')),
    Row(kind='district-count-wrong', actor='commission', checks=('V7.4',), needs=('authority',),
        title='announced count wrong at one district: levels that do not sum'),
    Row(kind='region-count-wrong', actor='commission', checks=('V7.4',), needs=('authority',),
        title='announced count wrong at one region: levels that do not sum'),
    Row(kind='nation-count-wrong', actor='commission', checks=('V7.4',), needs=('authority',),
        title='announced national count wrong: levels that do not sum'),
    Row(kind='wrong-count-carried-up', actor='commission', checks=('V7.3', 'V7.4'), needs=('authority',),
        title='a wrong station count carried up through every level (the levels sum)',
        why=("each level's figure differs from the verified tallies: named at the station (V7.3) and at its "
             'district, region and nation (V7.4)')),
    Row(kind='turnout-wrong', actor='commission', checks=('V7.5',), needs=('authority',),
        title='turnout percentage wrong at one district'),
    Row(kind='voters-voted-wrong', actor='commission', checks=('V7.5',), needs=('authority',),
        title='voters who voted inflated at one polling station (turnout to match)'),
    Row(kind='seats-wrong', actor='commission', checks=('V8.1',), needs=('authority',),
        title='one seat moved between two parties'),
    Row(kind='spec-version-unknown', actor='commission', checks=('V1.1',), needs=ALL,
        title='the manifest declares a spec version this verifier does not implement (everything re-signed)'),
    Row(kind='manifest-inconsistent', actor='commission', checks=('V1.5',), needs=(),
        title='a polling station given a ballot style of another territory',
        why=('one check fails; every step after the setup is not run (nothing can be checked against an '
             'inconsistent manifest)')),
    Row(kind='registrar-signature-invalid', actor='registrar', checks=('V2.2', 'V7.5'), needs=ALL,
        title="a registry line signed by another authority's key (committed to by the manifest)",
        why=REGISTERS_NOBODY),
    Row(kind='voter-id-twice', actor='registrar', checks=('V2.3',), needs=ALL,
        title='a voter id registered twice, at two stations with two keys'),
    Row(kind='voter-unknown-station', actor='registrar', checks=('V2.5',), needs=ALL,
        title='a voter registered at a polling station the manifest does not have'),
    Row(kind='voter-key-invalid', actor='registrar', checks=('V2.5', 'V7.5'), needs=ALL,
        title='a voter registered with bytes that are not an Ed25519 key',
        why=REGISTERS_NOBODY),
    Row(kind='unregistered-voter-ballot', actor='collector', checks=('V3.1',), needs=ALL,
        title='a ballot of an unregistered voter id accepted (excluded by the commission)'),
    Row(kind='envelope-other-election-id', actor='voter client', checks=('V3.3',), needs=ALL,
        title='an envelope naming another election id (excluded)'),
    Row(kind='envelope-other-fingerprint', actor='voter client', checks=('V3.3',), needs=ALL,
        title="an envelope naming another election's fingerprint (excluded)"),
    Row(kind='envelope-other-key-fingerprint', actor='voter client', checks=('V3.3',), needs=ALL,
        title="an envelope naming a key fingerprint that is not the voter's registered key (excluded)"),
    Row(kind='receipt-signature-invalid', actor='collector', checks=('V3.6', 'V5.5', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title='a receipt not signed by the collector, counted',
        why=COUNTED),
    Row(kind='receipt-other-envelope', actor='collector', checks=('V3.6', 'V5.5', 'V6.2', 'V7.5'),
        needs=('authority', 'paillier'),
        title='a receipt hashing another envelope, counted',
        why=COUNTED),
    Row(kind='head-entries-wrong', actor='collector', checks=('V3.8',), needs=('authority',),
        title='the signed head claims one entry more than the box has'),
    Row(kind='head-hash-wrong', actor='collector', checks=('V3.8',), needs=('authority',),
        title='the signed head names the entry before the last'),
    Row(kind='head-signature-invalid', actor='collector', checks=('V3.8',), needs=('authority',),
        title="the head signed by another authority's key"),
    Row(kind='cancellation-unregistered', actor='commission', checks=('V5.2',), needs=('authority', 'paillier'),
        title='a cancellation of a voter id that is not registered'),
    Row(kind='cancellation-other-station', actor='commission', checks=('V5.2',), needs=ALL,
        title="a cancellation at a station other than the voter's"),
    Row(kind='cancellation-not-election-day', actor='commission', checks=('V5.2',), needs=ALL,
        title='a paper vote dated the day before election day'),
    Row(kind='cancellation-listed-twice', actor='commission', checks=('V5.2',), needs=('authority', 'paillier'),
        title="a voter's cancellation listed twice"),
    Row(kind='tally-other-election', actor='commission', checks=('V6.1',), needs=('authority',),
        title="the tally names another election's fingerprint"),
    Row(kind='tally-signature-invalid', actor='commission', checks=('V6.1',), needs=('authority',),
        title="the tally signed by another authority's key"),
    Row(kind='aggregate-twice', actor='commission', checks=('V6.2',), needs=('authority',),
        title='an aggregate listed twice in the tally'),
    Row(kind='aggregate-unknown', actor='commission', checks=('V6.2',), needs=('authority', 'paillier'),
        title="an aggregate for a contest outside the station's ballot style"),
    Row(kind='results-other-election', actor='commission', checks=('V7.1',), needs=('authority',),
        title="the results name another election's fingerprint"),
    Row(kind='results-signature-invalid', actor='commission', checks=('V7.1',), needs=('authority',),
        title="the results signed by another authority's key"),
    Row(kind='protocol-twice', actor='commission', checks=('V7.2',), needs=('authority',),
        title="a polling station's protocol announced twice"),
    Row(kind='protocol-unknown-unit', actor='commission', checks=('V7.2',), needs=('authority',),
        title='a protocol for a polling station the manifest does not have'),
    Row(kind='protocol-contest-twice', actor='commission', checks=('V7.2',), needs=('authority',),
        title='a contest announced twice in one protocol'),
    Row(kind='share-wrong', actor='trustee', checks=('V6.3',), needs=('authority', 'trustees'), record='threshold',
        noted=True,
        title=("a trustee's decryption share of one aggregate multiplied by 1 + n, with a proof made for it (the "
               'challenge hashes the wrong share)'),
        why=NOTED),
    Row(kind='share-proof-other-aggregate', actor='commission', checks=('V6.3',), needs=('authority',),
        record='threshold', noted=True,
        title="a trustee's share and proof of one aggregate published for another aggregate",
        why=NOTED),
    Row(kind='share-proof-other-trustee', actor='commission', checks=('V6.3',), needs=('authority',),
        record='threshold', noted=True,
        title="a trustee's share and proof of an aggregate published again as another trustee's",
        why=NOTED),
    Row(kind='shares-below-threshold', actor='commission', checks=('V6.3',), needs=('authority',),
        record='threshold',
        title='one aggregate published with the valid shares of only w − 1 trustees',
        why=('one finding at the aggregate (fewer than w valid shares) and one naming each trustee whose share is '
             'missing')),
    Row(kind='verification-key-off-polynomial', actor='dealer', checks=('V1.10',), needs=ALL + ('trustees',),
        record='threshold',
        title=('a trustee above the threshold dealt the share s_j + 1 and its verification key v^(Δ·(s_j + 1)) '
               'published (everything signed again)'),
        why=('every share proof holds against its own key and the verifier combines the w smallest valid shares, '
             'so only the key check sees that v_j is off the polynomial of the others')),
)
