"""Use cases over the store: archive answers and publishing. No ``telegram`` imports."""
