"""What is wrong with a return: one finding per problem, naming the file, sheet, cell and value."""
from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class ReturnFinding:
    severity: str
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    value: object = None
    reference: str = ""

    def as_dict(self) -> dict:
        value = self.value
        if value is not None and not isinstance(value, (int, float, str, bool)):
            value = str(value)
        return {"severity": self.severity, "code": self.code, "file": self.file, "sheet": self.sheet,
                "cell": self.cell, "value": value, "reference": self.reference, "message": self.message}

    def where(self) -> str:
        place = self.file
        if self.sheet:
            place += f" [{self.sheet}]"
        if self.cell:
            place += f" {self.cell}"
        return place

    def text(self) -> str:
        return f"{self.severity}: {self.where()}: {self.message}"
