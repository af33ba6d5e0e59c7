"""The rules of the OCOP programme as versioned data: rulebooks, criteria sheets and the star computation.

* `ocop.rules.rulebooks` — `get_rulebook(code)`, `rulebook_for(day)`, `transition_for(filed_on)`; a Rulebook
  carries its validity, star bands, star rule, certifying level per star, deadlines, council defaults, rounds.
* `ocop.rules.sheets` — the criteria sheet tree (Sheet → Part → Group → Criterion → Option), frozen dataclasses,
  loaded from `data/<rulebook>/sheet-NN.json` and validated on load.
* `ocop.rules.stars` — the one place where scores become a star: `compute_stars` (members' chosen options),
  `compute_stars_from_totals`, `gap_to_next_star`; every result explains itself in words.
* `ocop.rules.models` — a province's own council rules (`CouncilRuleOverride`, `council_rules()`).

The data files are generated from the legal text by `scripts/extract_criteria.py` and committed.
"""
