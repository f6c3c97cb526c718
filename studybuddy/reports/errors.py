"""ReportError: a report that cannot be made, explained in one line for the user."""


class ReportError(Exception):
    pass
