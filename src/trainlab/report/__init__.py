"""Run directories, TensorBoard logs and self-contained HTML reports."""
