"""Telecobrança's rooms: the workspace tab, the maintenance list, the ledger and the rules."""
