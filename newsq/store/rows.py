"""What one parsed file puts in the snapshot, as plain rows cheap to send between processes;
and records as stored.

The worker processes that parse build these (`newsq.ingest.update`); the snapshot
writes them (`Snapshot.add`). Columns are in the order of `newsq.store.schema`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple, TypeVar

from newsq.model import EPOCH, Entry, format_timestamp, from_microseconds, to_microseconds
from newsq.store.schema import (
    DOMAIN_KEY,
    KEY_SEPARATOR,
    NAME_KEY,
    RECORD_DICTIONARY_KEY,
    RECORD_TEXT,
    SnapshotDamage,
)


@dataclass(slots=True)
class FileRows:
    """What one parsed file puts in the snapshot: plain values, cheap to send between processes.

    `doc` is None when the file is not a document; `problems` are
    (line, column, severity, message).
    """

    key: str  # the file's absolute path
    size: int
    mtime_ns: int
    doc_id: str
    shown: str  # the path as the user wrote it
    doc: tuple[Any, ...] | None
    record: bytes | None  # the full record, packed (`RecordCodec`)
    topic_keys: tuple[str, ...]
    provider_keys: tuple[str, ...]
    words: tuple[str, ...] | None  # title, excerpt, provider, topics, body for FTS
    problems: list[tuple[int | None, int | None, str, str]]
    #: The related coverage: (`related_row()`'s two rows, words) per article.
    related: list[tuple[tuple[Any, ...], tuple[Any, ...], tuple[str, ...]]] = field(
        default_factory=list
    )
    #: What grouping into stories needs (`stories.features`), packed (`Codecs.features`),
    #: and its wording's hash (`newsq.store.stories.wording`).
    story: tuple[bytes, int] | None = None
    #: The record's fields and their types (`fields.record_shape`), as JSON.
    shape: str = "[]"

    def __reduce__(self) -> tuple[type[FileRows], tuple[Any, ...]]:
        # Sent from the workers as the arguments of a call: a slotted dataclass's own
        # state sets each field with `object.__setattr__`, and the rows of a million
        # documents took 1.1 % longer to build so.
        return FileRows, _FILE_ROWS_FIELDS(self)


_FILE_ROWS_FIELDS = operator.attrgetter(*(f.name for f in fields(FileRows)))

#: JSON as the snapshot keeps it: the encoders made once (`json.dumps` with options
#: makes one a call), without the check for cycles (a record is a tree: parsing
#: refuses the aliases that would make one a cycle).
compact_json = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False
).encode
_TOPICS_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


_Codec = TypeVar("_Codec", bound="TextCodec")


class TextCodec:
    """Text as the snapshot stores it: deflated with a dictionary of the corpus's own
    (the last `DICTIONARY_BYTES` of the first texts of its kind), which is what makes
    short texts small: each shares its keys, providers and addresses with the rest.

    Measured on 2,000 records of the generated corpus (5.6 KB of JSON each): deflated
    alone they keep 42 % of their bytes, with a dictionary taken from the seeds 36 %,
    with 32 KB of the corpus's first records 28 %; at level 3, 0.09 ms a record to pack
    (in the workers, beside a parse of 0.4 ms) and 0.02 ms to read back, less than
    `json.loads` of it. Records were 44 % of a snapshot, more than the corpus's bytes;
    story features (1.7 KB a document) 16 %, and keep 21.5 % of their bytes so.
    """

    def __init__(self, dictionary: bytes) -> None:
        self.dictionary = dictionary
        # A compressor that has been given the dictionary, copied for each text: setting a
        # 32 KB dictionary (hashing all of it) is 0.04 ms, copying the state 0.01 ms, and the
        # copy packs byte for byte what a fresh compressor packs.
        self._primed: Any = None

    def __getstate__(self) -> tuple[bytes]:
        # (a compressor cannot be pickled: the codecs go to the workers with every chunk)
        return (self.dictionary,)

    def __setstate__(self, state: tuple[bytes]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    @classmethod
    def trained(cls: type[_Codec], samples: Iterable[str]) -> _Codec:
        """A codec whose dictionary is the end of these texts (the first a corpus has)."""
        return cls("".join(samples).encode()[-DICTIONARY_BYTES:])

    def pack_text(self, text: str) -> bytes:
        data = text.encode()
        if not self.dictionary:
            return zlib.compress(data, _LEVEL)
        primed = self._primed
        if primed is None:
            primed = self._primed = zlib.compressobj(
                _LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, self.dictionary
            )
        packer = primed.copy()
        return packer.compress(data) + packer.flush()

    def text(self, packed: bytes) -> str:
        """A stored text, read back; `SnapshotDamage` when it cannot be."""
        try:
            if not self.dictionary:
                return zlib.decompress(packed).decode()
            reader = zlib.decompressobj(zdict=self.dictionary)
            data = reader.decompress(packed) + reader.flush()
            if not reader.eof:
                raise zlib.error("cut short")
            return data.decode()
        except (zlib.error, TypeError, UnicodeDecodeError) as exc:
            raise SnapshotDamage(f"stored text that cannot be read: {exc}") from None


class RecordCodec(TextCodec):
    """Records as stored: compact JSON, deflated (`TextCodec`)."""

    def pack(self, record: dict[str, Any]) -> bytes:
        return self.pack_text(compact_json(record))

    def unpack(self, packed: bytes) -> dict[str, Any]:
        return json.loads(self.text(packed))


class Codecs(NamedTuple):
    """How a snapshot packs its records and its documents' story features."""

    records: RecordCodec
    features: TextCodec


#: Codecs with no dictionary: plain deflate (what a snapshot reads text packed before
#: its dictionaries were learnt as).
PLAIN = Codecs(RecordCodec(b""), TextCodec(b""))
#: What separates a document's three story features (`newsq.ingest.features`) in the
#: one text they are packed as: no stemmed word, address or JSON holds it.
FEATURES_SEPARATOR = "\x1e"


def register_record_text(conn: sqlite3.Connection, schema: str = "main") -> None:
    """Make `RECORD_TEXT(packed)` the JSON of a record stored in the snapshot that is
    `schema` on `conn`: what every query reading records calls (the index, the views,
    the exports). Its codec is read from the snapshot's `meta` when first needed (a
    snapshot being built has none until its first records are parsed; records packed
    without one are plain deflate).

    A record that cannot be read is the empty text, which no JSON reader takes: SQLite
    would report an exception raised here as a failed query, not as damage.
    """
    codecs: list[RecordCodec] = []  # a snapshot's dictionary never changes: read once
    last: list[Any] = [None, ""]  # the views read one record several times a row

    def learnt() -> RecordCodec | None:
        if not codecs:
            found = conn.execute(
                f"SELECT value FROM {schema}.meta WHERE key = ?", (RECORD_DICTIONARY_KEY,)
            ).fetchone()
            if found is not None:
                codecs.append(RecordCodec(bytes.fromhex(found[0])))
        return codecs[0] if codecs else None

    # Read now when there is one: a user's query runs under an authorizer that lets it
    # read only the views, which a lookup from inside the function would be part of.
    with contextlib.suppress(sqlite3.Error, ValueError):  # not a snapshot (yet): checked later
        learnt()

    def text(packed: bytes) -> str:
        if packed == last[0]:
            return last[1]
        # (records packed before any dictionary was learnt are plain deflate)
        try:
            codec = learnt() or RecordCodec(b"")
        except ValueError:  # a dictionary that is not one: damage
            return ""
        try:
            value = codec.text(packed)
        except SnapshotDamage:
            return ""
        last[:] = [packed, value]
        return value

    conn.create_function(RECORD_TEXT, 1, text, deterministic=True)


#: How many bytes of the first texts a codec's dictionary keeps: zlib's most. Records
#: pack to 30 % with 16 KB, to 28 % with 32 KB (0.07 ms a record against 0.09), story
#: features to 23 % and 21.5 %.
DICTIONARY_BYTES = 32_768
_LEVEL = 3  # level 6 packs 1 % smaller in a third more time


def related_row(
    entry: Any, number: int, provider_keys: Iterable[str]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The `related` columns (less `doc` and `parent`) and the `related_text` columns
    (less `doc`) of a related article's `Entry`."""
    (title, date_us, category, category_key, type_, type_key, quality, heat) = (
        columns := _light_columns(entry)
    )[:8]
    published, provider_name, provider_domain = columns[8:]
    row = (number, entry.id, date_us, category_key, type_key, quality, heat, published)
    text = (title, category, type_, provider_name, provider_domain)
    return (*row, keys_text(provider_keys)), text


def title_key(title: object) -> object:
    """What titles sort by (`TITLE_KEY(title)` in SQL): case folded, as `sort_entries`
    compares them. Computed as sorted, not stored: a stored copy of every title was 5 %
    of a snapshot."""
    return title.casefold() if isinstance(title, str) else title


def keys_text(keys: Iterable[str]) -> str:
    """Keys as one text column, each between separators: `instr()` finds `key_mark(k)` in it.

    A related article's provider keys live in its row, not in a table of their own
    as a document's do: they are only ever tested, never counted.
    """
    return KEY_SEPARATOR + "".join(k + KEY_SEPARATOR for k in sorted(keys))


def _light_columns(entry: Any) -> tuple[Any, ...]:
    """The columns documents and related articles share, from `title` to `provider_domain`."""
    return (
        entry.title,
        to_microseconds(entry.date),
        entry.category,
        None if entry.category is None else entry.category.casefold(),
        entry.type,
        None if entry.type is None else entry.type.casefold(),
        entry.quality,
        entry.heat,
        None if entry.published is None else int(entry.published),
        entry.provider_name,
        entry.provider_domain,
    )


def doc_row(
    entry: Any, provider_keys: Iterable[str]
) -> tuple[tuple[Any, ...], tuple[str, ...], tuple[str, ...]]:
    """The `docs` columns (less `doc`), topic keys and provider keys of an `Entry`."""
    name = entry.id.rsplit("/", 1)[-1]
    _, underscore, hex_part = name.partition("_")
    row = (
        entry.id,
        entry.path,
        *_light_columns(entry),
        _TOPICS_JSON(entry.topics),
        entry.related,
        name,
        hex_part if underscore else None,
    )
    topic_keys = tuple(dict.fromkeys(t.casefold() for t in entry.topics))
    return row, topic_keys, tuple(sorted(provider_keys))


def stored_time(date_us: int | None) -> dt.datetime | None:
    """A date as the snapshot keeps it (microseconds since 1970), read back; a value no
    date can be (planted past the schema's CHECK) is `SnapshotDamage`."""
    try:
        return from_microseconds(date_us)
    except (OverflowError, TypeError) as exc:
        raise SnapshotDamage(f"a date that is not one: {date_us!r}") from exc


def stored_day(days: int) -> dt.date:
    """A day as the snapshot counts them (days since 1970), read back; `SnapshotDamage`
    for one no date can be."""
    try:
        return EPOCH.date() + dt.timedelta(days=days)
    except (OverflowError, TypeError) as exc:
        raise SnapshotDamage(f"a day that is not one: {days!r}") from exc


def stored_timestamp(date_us: int | None) -> str | None:
    """`stored_time` as ISO 8601 in UTC (`2020-06-11T20:54:00Z`)."""
    date = stored_time(date_us)
    return None if date is None else format_timestamp(date)


def domain_keys(domain: str | None) -> set[str]:
    """The forms of a domain a `--provider` value may take: the domain itself, less a
    leading `www.`, less its last label, and its first label less a leading `www.` (so
    `www.bbc.co.uk` answers to `bbc.co.uk` and `bbc`)."""
    if not domain:
        return set()
    domain = domain.casefold()
    keys = {domain, domain.removeprefix("www.")}
    labels = domain.removeprefix("www.").split(".")
    if len(labels) > 1:
        keys.add(domain.rsplit(".", 1)[0])
        keys.add(labels[0])
    return keys


def provider_keys(entry: Entry) -> tuple[str, ...]:
    """A provider's keys as the snapshot keeps them: `NAME_KEY` before its name and
    `DOMAIN_KEY` before each form of its domain, sorted (see `newsq.query.filters`)."""
    keys = {DOMAIN_KEY + k for k in domain_keys(entry.provider_domain)}
    if entry.provider_name:
        keys.add(NAME_KEY + entry.provider_name.casefold())
    return tuple(sorted(keys))
