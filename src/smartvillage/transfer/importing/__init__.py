"""Import households and persons, following the data's way (one module per step):

    pipeline.preview: read (transfer.reader) -> layout (header band, columns: headers.Matcher,
    mapping) -> parse (values, skipped rows, preview rows) -> link (persons to households)
    -> plan (validate; create / update / unchanged) ;  write.apply (one transaction)
    rejected: the partial import's split and its rejected-rows XLSX.

`transfer.importer` re-exports the public names for older callers.

* layout: the header is a band of 1-3 rows (group headers above give context; the lowest distinct
  text names the column; a numbering row "(1) (2) …" is skipped); every column is scored against
  every field (abbreviations expanded from transfer/data/abbreviations.yaml, rapidfuzz) and
  checked against what it holds. High confidence: mapped. Medium: proposed. Low, for a column
  that may hold a core field or a fact a criterion of the village's province counts: a question.
  The user's mapping names columns by header text or by "Sheet!B" ("" skips a column).
* parse: each value keeps where it came from (sheet, row, column) for the messages; totals
  ("Tổng cộng: 03 hộ, 09 nhân khẩu"), signature and place/date lines are skipped rows.
* plan: errors (the import cannot go ahead) and warnings, in Vietnamese; create / update /
  unchanged per household (matched on its code) and person (name + birth date in the household).
  Facts the catalogue derives (a digital address code -> digital_address, _notified) are ORed in.
* apply: bulk writes in one transaction, with one audit event for the import and one child event
  per created or changed row; refuses while a question is open or a proposal unconfirmed, and on
  any error unless partial=True (then whole valid households are written and the others' rows
  go to an XLSX with a "Lỗi" column, fixes filled in where one is offered).

Layouts: two sheets (households; persons with the household code), one sheet of persons where the
household columns are filled on the head's row, one sheet where every person carries the household
code, and the ODK/Kobo export (main sheet + repeat sheet joined on _index/_parent_index).

Contract of ImportReport.to_dict() (stored in ImportJob.report; the web step renders it). Stable
keys, beside the older ones (ok, applied, counts, summary, layouts, errors, warnings, …):

* questions: [{"sheet", "column" (letter), "header" (as written; rows of a multi-row header
  joined with " / "), "samples" (<= 5 cell texts), "candidates": [{"field", "label" (Vietnamese),
  "score" (0-100)}] (<= 3), "reason" (Vietnamese)}]. Answered by the mapping dict
  ({"Sheet!B": field_key}, or "" to skip the column), like --map / --skip-column.
* proposed: the same shape plus "field" and "label" (the field chosen, medium confidence); used
  only once confirmed (a mapping entry, or accept_proposed=True / --accept-proposed).
* skipped_rows: [{"sheet", "row", "reason", "text"}] (<= 1000; skipped_row_count has all).
* preview_rows: [{"sheet", "columns": [Vietnamese labels], "rows": [[display values]]}], the
  first 10 data rows of each sheet as understood; identity numbers masked.
* layout_signature: a stable hash of the folded header layout (each sheet's headers in order).
* rejected, rejected_households, rejected_path: after apply(partial=True), the rows and
  households left out and the path of their XLSX ("" when none).
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
