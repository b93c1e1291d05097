"""Pages a planner reads in a browser (self-contained HTML, built from plain values)."""
