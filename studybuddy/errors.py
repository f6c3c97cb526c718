"""StudyBuddyError: the parent of every error StudyBuddy raises for the user to read.

Each part has its own subclass (StoreError, NightError, ReportError, EngineError, DemoError,
FormatError, …) whose message is one sentence that says what was expected. A caller that only
shows the sentence (a CLI command, a screen) catches StudyBuddyError; no traceback reaches the
user. Kept free of imports so the TUI can catch it before the store or torch are loaded.
"""


class StudyBuddyError(Exception):
    """Bad input or a state that does not allow the step, explained in one line."""
