"""Supervision: the live wallboard and the reports."""
