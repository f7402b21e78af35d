"""Static files as WhiteNoise serves them, compressed once rather than twice.

``collectstatic`` keeps each file under its own name and under a name with its hash
(``app.css`` and ``app.3f2a9c.css``); WhiteNoise compresses both, with gzip and Brotli.
Pages only link the hashed names ({% static %}), so only those are compressed: the same
bytes reach browsers, and ``make run`` spends half the time compressing (Brotli at its best
quality is most of collectstatic's time). The plain names stay, served uncompressed.
"""

from collections.abc import Iterable, Iterator

from whitenoise.storage import CompressedManifestStaticFilesStorage


# whitenoise ships no type information: its classes are Any to mypy.
class HashedCompressedStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    def compress_files(self, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
        # Called once every file is hashed: hashed_files maps each name to its hashed name.
        hashed = set(self.hashed_files.values())
        compressed: Iterator[tuple[str, str]] = super().compress_files(
            [path for path in paths if path in hashed]
        )
        return compressed
