"""A synthetic in-year savings register of any size, deterministic for a seed.

Realistic shape (seed 003): references A/R.6.nnn (and A/R.7.nnn ...), committees, plans phased over four
quarters that add to the typed Original Saving, forecasts at 40-110% of plan, RAG and direction consistent
with the delivery, officers' commentary of one to four sentences, £000 with savings negative.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from savings_tracker.core.schema import columns_for

COMMITTEES = ("Adults", "Children and Young People", "Communities and Partnership", "Economy and Environment",
              "Highways and Infrastructure", "Commercial and Investment", "General Purposes")
THEMES = ("Review of", "Recommissioning of", "Demand management in", "Digital self-service for",
          "Consolidation of", "Income generation from", "Reduction in", "Redesign of")
SERVICES = ("home care contracts", "learning disability placements", "library opening hours", "street lighting",
            "transport to school", "residential care beds", "back-office support", "property estate",
            "waste disposal", "early help services", "reablement", "mental health packages")
SENTENCES = ("Savings on track to be delivered in full.", "Procurement exercise completed in Q2.",
             "Slippage due to delayed consultation; mitigations identified.",
             "Market conditions have reduced the expected saving.", "Staff consultation concluded in September.",
             "Demand higher than forecast; recovery plan in place.", "Contract variation agreed with provider.",
             "Further work with partners needed before implementation.", "<p>Update awaited from service lead.</p>")
HEADERS = [c.header_for(None, "tracker") for c in columns_for("tracker") if c.key != "suggested_rag"]
KEYS = [c.key for c in columns_for("tracker") if c.key != "suggested_rag"]


def lines(n: int, seed: int = 2017) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        plan_total = -rnd.choice((5, 10, 20, 25, 40, 50, 75, 100, 150, 250, 400, 800))
        weights = [rnd.random() + 0.2 for _ in range(4)]
        q = [round(plan_total * w / sum(weights)) for w in weights]
        q[3] = plan_total - sum(q[:3])                      # the phasing adds up exactly
        ratio = rnd.choice((1.0, 1.0, 1.0, 0.9, 0.8, 0.75, 0.6, 0.4, 1.1))
        fc_total = round(plan_total * ratio)
        f = [round(x * ratio) for x in q]
        f[3] = fc_total - sum(f[:3])
        rag = "Green" if ratio >= 1 else "Amber" if ratio >= 0.75 else "Red"
        out.append({
            "reference": f"A/R.{6 + i // 1000}.{100 + i % 1000:03d}",
            "title": f"{rnd.choice(THEMES)} {rnd.choice(SERVICES)}",
            "description": " ".join(rnd.sample(SENTENCES, 2)),
            "committee": rnd.choice(COMMITTEES),
            "investment": str(rnd.choice((0, 0, 0, 10, 25, 50))),
            **{f"plan_q{k + 1}": str(v) for k, v in enumerate(q)}, "plan_total": str(plan_total),
            **{f"forecast_q{k + 1}": str(v) for k, v in enumerate(f)}, "forecast_total": str(fc_total),
            "variance": str(fc_total - plan_total), "complete": "Yes" if ratio >= 1 and rnd.random() < 0.3 else "No",
            "rag": rag, "direction": rnd.choice(("↑", "↔", "↔", "↓")),
            "commentary": " ".join(rnd.sample(SENTENCES, rnd.randint(1, 4))),
            "partners": rnd.choice(("", "", "NHS", "District councils", "Voluntary sector")),
        })
    return out


def write_csv(path: Path, n: int, seed: int = 2017) -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for ln in lines(n, seed):
            w.writerow([ln.get(k, "") for k in KEYS])
    path.with_name(path.stem + ".settings.json").write_text(json.dumps({
        "organisation": "Synthetic County Council", "financial_year": "2017-18", "period": "October 2017",
        "unit": "£000", "sign": "negative", "layout": "tracker", "committees": list(COMMITTEES)}), encoding="utf-8")
    return path
