"""CLI command groups, one module per part; `studybuddy.cli` mounts them."""
