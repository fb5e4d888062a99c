"""Identity and checks: whole-model checks, stable GUIDs, the lock file."""
