"""Buyer inquiries to producers and trade fairs."""
