"""Domain logic: plain Python over a Store, no HTTP."""
