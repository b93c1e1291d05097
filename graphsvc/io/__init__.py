"""Imports and exports: validate everything first, then write."""
