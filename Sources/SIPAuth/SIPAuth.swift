// SIPAuth: see docs/ARCHITECTURE.md
