"""Reading an uploaded CSV as a stream: chunk by chunk, each line decoded as it comes (UTF-8,
with or without BOM, or Windows-1252 as Excel saves it in Brazil), with progress. Shared by the
imports (titles, call lists), which validate every row and write nothing when one is wrong."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO

CHUNK_BYTES = 256 * 1024
# A "line" this long has no line breaks we understand: refuse it rather than buffer the file.
MAX_LINE_BYTES = 1024 * 1024
_BOM = b"\xef\xbb\xbf"

Progress = Callable[[int, int | None], None]
"""progress(done, total): bytes of the file read and validated so far and the file's size
(None when the stream's size is unknown). Called after every chunk; `done == total` means
the whole file was read and the write is under way."""


def as_stream(content: bytes | str | IO[bytes]) -> tuple[IO[bytes], int | None]:
    if isinstance(content, str):
        content = content.encode("utf-8")
    if isinstance(content, bytes | bytearray | memoryview):
        return io.BytesIO(content), len(content)
    size: int | None = None
    try:  # an upload or a file: its size, without reading it
        here = content.tell()
        size = content.seek(0, io.SEEK_END) - here
        content.seek(here)
    except (AttributeError, OSError, ValueError):
        size = getattr(content, "size", None)
    return content, size


class CsvLines:
    """The text lines of a binary stream read in chunks, each decoded as it comes.

    The encoding is decided by the bytes: a BOM or valid UTF-8 is UTF-8; the first line that is
    not valid UTF-8 switches the file to Windows-1252 when every line before it was plain ASCII
    (identical in both, so nothing read so far changes). A file with valid UTF-8 accents and
    then bytes that are not UTF-8 mixes encodings: it is refused at that line rather than
    stored with garbled names.
    """

    def __init__(self, stream: IO[bytes], size: int | None, progress: Progress | None) -> None:
        self._stream = stream
        self._size = size
        self._progress = progress
        self.encoding = "utf-8"
        self._ascii_so_far = True
        self.read_bytes = 0
        self.line = 0  # physical lines handed out so far
        self.problem: tuple[int, str] | None = None

    @property
    def encoding_label(self) -> str:
        return "UTF-8" if self.encoding == "utf-8" else "Windows-1252"

    def __iter__(self) -> Iterator[str]:
        pending = b""
        first = True
        while True:
            chunk = self._stream.read(CHUNK_BYTES)
            if not chunk:
                break
            self.read_bytes += len(chunk)
            if first:
                first = False
                if chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM) :]
            pieces = (pending + chunk).split(b"\n")
            pending = pieces.pop()
            if len(pending) > MAX_LINE_BYTES:
                self.problem = (self.line + 1, "linha longa demais (mais de 1 MB sem quebra)")
                return
            for raw in pieces:
                text = self._decode(raw)
                if text is None:
                    return
                self.line += 1
                yield text + "\n"
            if self._progress is not None:
                self._progress(self.read_bytes, self._size)
        if pending:
            text = self._decode(pending)
            if text is None:
                return
            self.line += 1
            yield text

    def _decode(self, raw: bytes) -> str | None:
        if self.encoding == "utf-8":
            if raw.isascii():
                return raw.decode("ascii")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                if not self._ascii_so_far:
                    self.problem = (
                        self.line + 1,
                        "o arquivo mistura codificações (UTF-8 nas linhas anteriores, outra "
                        "nesta): salve-o de novo como CSV UTF-8 ou CSV do Excel",
                    )
                    return None
                self.encoding = "cp1252"
            else:
                self._ascii_so_far = False
                return text
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            self.problem = (
                self.line + 1,
                "caracteres que não são UTF-8 nem Windows-1252: salve-o de novo como CSV UTF-8",
            )
            return None
