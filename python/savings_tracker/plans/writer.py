"""One interface for the plan writers, as xlwings keeps its engines behind ``base_classes.py``: a plan is data,
and a writer applies it to one kind of workbook. ``excel.writer.OpenBookWriter`` writes into a workbook open in
Excel through xlwings; ``xlsx.apply.ClosedFileWriter`` writes into a closed file (atomically, with a backup).
Both apply the plan's parts in the order ``plans.model`` documents."""
from __future__ import annotations

from abc import ABC, abstractmethod

from .model import UpdatePlan


class PlanWriter(ABC):
    @abstractmethod
    def apply(self, plan: UpdatePlan):
        """Apply every part of ``plan``; what it returns is the writer's own report."""
