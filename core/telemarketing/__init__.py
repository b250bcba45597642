"""Telemarketing (SAC/0800) [SUC/SUD]: service.py is the status machine and saving; maintenance.py
the list, its export and an entity's recent history."""
