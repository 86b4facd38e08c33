// SIPStorageSQLite: see docs/ARCHITECTURE.md
