"""Figures and widgets, apart from the models they draw (which import no plotting library)."""
