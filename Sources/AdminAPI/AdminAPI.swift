// AdminAPI: see docs/ARCHITECTURE.md
