"""The public API is exactly what __all__ says, and every name resolves."""

import syncspec


def test_all_names_resolve():
    for name in syncspec.__all__:
        assert getattr(syncspec, name) is not None, name


def test_public_names_are_exported():
    expected = {
        "Workspace", "Preview", "SpecStatus", "PlanResult", "SyncResult", "ChangeSet", "RunRecord",
        "StepRecord", "EventRecord", "Problem", "SyncSpecError", "ConfigError", "SpecError", "SourceError",
        "DuplicateKeyError", "MappingError", "StateTransitionError", "TargetError", "TargetUnavailable",
        "TimeLimitExceeded",
        "LockNotAcquired", "CheckFailed", "SchemaChangeRefused", "__version__",
    }
    assert set(syncspec.__all__) == expected


def test_unknown_attribute_raises():
    import pytest

    with pytest.raises(AttributeError):
        syncspec.nope  # noqa: B018
