"""Import households and persons, following the data's way (one module per step):

read (pipeline, through transfer.reader) -> find the header and the layout (layout, mapping)
-> parse values (parse) -> link persons to households (link) -> validate and plan (plan)
-> apply (write). `transfer.importer` re-exports the public names for older callers.

* parse: every sheet of every file; the header row is found by itself (title rows, an STT column,
  a numbering row "(1) (2) …" and two-row headers are skipped; a "Tổng cộng" row ends the data,
  and so does the signature block after a blank row). The user's mapping names columns by header
  text or by sheet and column letter. Each value keeps where it came from (sheet, row, column)
  for the messages.
* validate: errors (the import cannot go ahead) and warnings, in Vietnamese.
* plan: create / update / unchanged for each household (matched on its code) and person (matched
  on name + birth date within the household), against the village's registry loaded once.
* apply: bulk writes in one transaction, with one audit event for the import and one child event
  per created or changed row. Nothing is written when there is any error.

Layouts: two sheets (households; persons with the household code), one sheet of persons where the
household columns are filled on the head's row, one sheet where every person carries the household
code, and the ODK/Kobo export (main sheet + repeat sheet joined on _index/_parent_index).
"""

from smartvillage.transfer.importing.layout import detect_layout, header_score
from smartvillage.transfer.importing.mapping import parse_mapping
from smartvillage.transfer.importing.pipeline import import_events, import_files, preview
from smartvillage.transfer.importing.report import (
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
)
from smartvillage.transfer.importing.write import apply

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
