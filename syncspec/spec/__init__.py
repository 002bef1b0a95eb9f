"""Spec stage: load YAML with line marks, validate, build typed Spec objects."""
