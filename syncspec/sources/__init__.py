"""Source stage: find files, read them, and extract Records by strategy."""

from .extract import FileRecords, extract_file, resolve_files

__all__ = ["FileRecords", "extract_file", "resolve_files"]
