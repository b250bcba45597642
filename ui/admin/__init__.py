"""The administration forms: users, profiles, groups, operators and catalogues."""
