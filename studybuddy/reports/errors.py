"""ReportError: a report that cannot be made, explained in one line for the user."""

from studybuddy.errors import StudyBuddyError


class ReportError(StudyBuddyError):
    pass
