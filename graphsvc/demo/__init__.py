"""Deterministic demo seeds (Zorgzaam Leuven, Résinam Namur): `python -m graphsvc.demo.generate`."""
