"""Internal helpers shared across gate_sklearn (progress bars, parallel chunking)."""
