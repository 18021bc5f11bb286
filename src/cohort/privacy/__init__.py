"""Disclosure control: the small-number rule, the period lattice and the release every page counts from."""
