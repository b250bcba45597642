"""Televendas' rooms: the workspace tab, the maintenance list and the catalogue forms."""
