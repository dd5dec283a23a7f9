"""Error taxonomy. The CLI prints a ``MellumError`` as one line and exits non-zero.

- ``ConfigError``: a configuration or command-line problem, found at start-up.
- ``InputError``: an input file or shard that cannot be used; names its path.
- ``DataError``: a whole stage cannot proceed with the data it has (e.g. too few tokens).
"""


class MellumError(Exception):
    """Base class for errors shown to users without a traceback."""


class ConfigError(MellumError):
    """Invalid configuration: names the file, line and field where known."""


class InputError(MellumError):
    """An input path is missing, unreadable or corrupt."""


class DataError(MellumError):
    """The data cannot satisfy what was asked (e.g. a mixture needs more tokens than exist)."""
