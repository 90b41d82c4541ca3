"""The one error type for input that cannot be read: names the file and line."""


class RecordError(Exception):
    """Unreadable or malformed input. The CLI prints str(self) on one line and exits 2."""

    MAX_MESSAGE = 300  # characters (and as many for the file's name): messages quote input, which may be 4 MB

    def __init__(self, file: str, line: int | None, message: str):
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{one_line(where, self.MAX_MESSAGE)}: {one_line(self.message, self.MAX_MESSAGE)}"

    def __reduce__(self):
        # raised in worker processes and re-raised in the parent: keep the file and line across pickling
        return (RecordError, (self.file, self.line, self.message))


def one_line(text: str, limit: int) -> str:
    """One printable line of at most `limit` characters: control characters (newlines, terminal escapes) escaped."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
