"""Errors the core raises for input it cannot serve; each names the problem."""


def _remade(cls: type, args: tuple, state: dict) -> BaseException:
    """An error unpickled with its message and fields, whatever its __init__ takes (a load in another
    process hands its error back: load_apart.py)."""
    exc = cls.__new__(cls)
    BaseException.__init__(exc, *args)
    exc.__dict__.update(state)
    return exc


class DataFileError(Exception):
    """The data file cannot be served (missing, not SQLite, locked, wrong tables).

    The message is one line that names the file, table, column or value, fit to
    show a user as it is (command line stderr, the window's banner, HTTP 503).
    """

    def __reduce__(self):
        return _remade, (type(self), self.args, self.__dict__)


class MissingTablesError(DataFileError):
    def __init__(self, path: str, missing: list[str]):
        self.path = path
        self.missing = list(missing)
        super().__init__(
            f"{path}: not an executive data file: missing table(s) {', '.join(self.missing)}"
        )


class TableUnreadable(DataFileError):
    """One table a view needs cannot be read: that view alone fails (a note, a 503)."""

    def __init__(self, path: str, table: str, reason: str):
        self.path, self.table, self.reason = path, table, reason
        super().__init__(f"{path}: table {table} {reason}")


class TableMissing(TableUnreadable):
    def __init__(self, path: str, table: str):
        super().__init__(path, table, "is missing")


class MetricsNotSaved(DataFileError):
    """Events could not be stored (a full or read-only folder): reads are unaffected."""


class TableDamaged(TableUnreadable):
    """A page of this table is corrupt: the file is damaged there, the rest may be fine."""

    def __init__(self, path: str, table: str, detail: str):
        super().__init__(path, table, f"is damaged in the file ({detail})")


class InvalidRequestError(ValueError):
    """A request parameter (range, granularity, as-of, key) is not one we accept."""

    def __init__(self, parameter: str, value: object, accepted: str):
        self.parameter = parameter
        self.value = value
        self.accepted = accepted
        super().__init__(f"invalid {parameter} {value!r}: expected {accepted}")

    def __reduce__(self):
        return _remade, (type(self), self.args, self.__dict__)
