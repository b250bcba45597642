"""The shared kit: widgets, forms and formats every room uses; no routine owns it."""
