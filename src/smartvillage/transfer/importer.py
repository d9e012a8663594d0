"""The importer's public names, kept for callers (jobs, views, CLI, bench): the code is in
`transfer.importing`, one module per step of the data's way."""

from smartvillage.transfer.importing import (
    ERROR,
    WARNING,
    Column,
    HouseholdIn,
    ImportReport,
    Issue,
    PersonIn,
    ProgressFn,
    SheetLayout,
    Src,
    apply,
    detect_layout,
    header_score,
    import_events,
    import_files,
    parse_mapping,
    preview,
)

__all__ = [
    "ERROR",
    "WARNING",
    "Column",
    "HouseholdIn",
    "ImportReport",
    "Issue",
    "PersonIn",
    "ProgressFn",
    "SheetLayout",
    "Src",
    "apply",
    "detect_layout",
    "header_score",
    "import_events",
    "import_files",
    "parse_mapping",
    "preview",
]
