"""Audit templates for tests: a small hand-made one whose scores are computed by hand."""

from __future__ import annotations

import copy
from typing import Any

LEVELS = ["none", "informal", "defined", "measured", "automated"]


def question(qid: str, nist: str = "measure", cisco: str = "governance") -> dict[str, Any]:
    return {"id": qid, "text": f"Question {qid}?", "nist": nist, "cisco": cisco, "levels": LEVELS}


def small_template(**overrides: Any) -> dict[str, Any]:
    """Two dimensions: evals (weight 3; e1 e2 e3) and team (weight 1; t1 t2 t3)."""
    template: dict[str, Any] = {
        "slug": "small-audit",
        "title": "Small audit",
        "weights_total": 4,
        "weak_below": 60,
        "bands": [
            {"key": "low", "label": "Low", "min": 0},
            {"key": "mid", "label": "Mid", "min": 40},
            {"key": "high", "label": "High", "min": 75},
        ],
        "dimensions": [
            {
                "id": "evals",
                "title": "Evals",
                "weight": 3,
                "recommendation": "Write a first eval.",
                "questions": [
                    question("e1", "measure", "governance"),
                    question("e2", "measure", "data"),
                    question("e3", "manage", "governance"),
                ],
            },
            {
                "id": "team",
                "title": "Team",
                "weight": 1,
                "recommendation": "Hire an AI engineer.",
                "questions": [
                    question("t1", "govern", "talent"),
                    question("t2", "govern", "talent"),
                    question("t3", "map", "culture"),
                ],
            },
        ],
        "red_flags": [
            {
                "id": "agents_without_gates",
                "title": "Agents without gates",
                "when": {
                    "all": [
                        {"intake": {"node": "agents", "choice": "yes"}},
                        {
                            "any": [
                                {"answer": {"question": "e1", "at_most": 1}},
                                {"answer": {"question": "t1", "at_most": 1}},
                            ]
                        },
                    ]
                },
                "why": "Agents act with nothing to stop them.",
                "first_step": "Add a release gate.",
            },
            {
                "id": "weak_evals",
                "title": "Weak evals",
                "when": {"dimension": {"id": "evals", "below": 50}},
                "why": "Nobody knows if changes help.",
                "first_step": "Write a first eval.",
            },
        ],
    }
    template.update(overrides)
    return copy.deepcopy(template)
