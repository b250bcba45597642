"""Telemarketing's rooms: the workspace tab and the maintenance list."""
