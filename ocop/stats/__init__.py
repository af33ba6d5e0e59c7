"""Figures, dashboards and reports of the OCOP offices, as of any date."""
