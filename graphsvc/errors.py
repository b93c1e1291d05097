"""Errors that reach users: each says what went wrong in one line, without a stack trace."""


class GraphsvcError(Exception):
    """Base for errors whose message is meant for the person running graphsvc."""


class ConfigError(GraphsvcError):
    """A setting (environment variable or flag) is missing or invalid."""


class DatabaseUnavailable(GraphsvcError):
    """The database cannot be started or reached."""


class CompactionFailed(GraphsvcError):
    """Every row of a load was written, but the log rewrite after it failed (exit code 3):
    the data is complete; the next start replays a longer log, or compacts it."""

    exit_code = 3


class QueryFailed(GraphsvcError):
    """The database refused or failed a query (its reason, never its parameters)."""


class QueryCatalogError(GraphsvcError):
    """A named Cypher query file is missing, unreadable or malformed."""


class NotFound(GraphsvcError):
    """A requested object does not exist."""


class InputError(GraphsvcError):
    """Input data is invalid; the message names the file, row and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} problem(s): {shown}{more}")


class Forbidden(GraphsvcError):
    """The caller's role or scope does not allow this (said without revealing more)."""
