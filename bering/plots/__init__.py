"""Figures for the notebooks, one module per topic."""
