"""Building: one packet step by step, and releases of many packets (incremental, in parallel)."""
