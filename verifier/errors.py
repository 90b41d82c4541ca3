"""The one error type for input that cannot be read: names the file and line."""


class RecordError(Exception):
    """Unreadable or malformed input. The CLI prints str(self) on one line and exits 2."""

    def __init__(self, file: str, line: int | None, message: str):
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

    def __reduce__(self):
        # raised in worker processes and re-raised in the parent: keep the file and line across pickling
        return (RecordError, (self.file, self.line, self.message))
