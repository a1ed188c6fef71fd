"""The backups plugin: snapshots of the whole database, verify, and restore of registered tables."""
