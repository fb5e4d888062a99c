"""Build: discover -> read -> check -> identify -> render -> write, with caches and incremental rebuilds."""
