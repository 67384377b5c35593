"""Snapshot from PostgreSQL (design/data-in.md): the company's database into the local file."""

from .datafile import last_snapshot, temp_path
from .run import SnapshotResult, snapshot
from .source import SnapshotCancelled, SnapshotError, parse_address

__all__ = ["SnapshotCancelled", "SnapshotError", "SnapshotResult", "last_snapshot", "parse_address",
           "snapshot", "temp_path"]
