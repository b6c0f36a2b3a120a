"""Errors a user can act on. Each message names the file, sheet, cell or value and what would be accepted;
the CLI and the Excel buttons print the message alone, never a traceback."""


class SavingsTrackerError(Exception):
    """Base class: anything the user can fix."""

    exit_code = 2


class UnreadableFile(SavingsTrackerError):
    """The file cannot be used as a register at all."""


class SettingsError(SavingsTrackerError):
    """A setting has a value the tool cannot use."""


class WriteRefused(SavingsTrackerError):
    """The tool will not write this file (open in Excel, read-only, ...)."""


class TemplateProblem(SavingsTrackerError):
    """A custom template is broken; the message names the template, line and field."""
