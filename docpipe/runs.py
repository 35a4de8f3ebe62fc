"""What a run did: the summary the flow fills and the CLI reports, and its ``runs`` row.

Prefect-free, so that a run with nothing to do is recorded without starting Prefect.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from docpipe import PIPELINE_VERSION
from docpipe.inventory import InventoryItem, count_changes
from docpipe.storage import Location
from docpipe.writer import document_exists, read_dataset, write_run


@dataclass
class RunSummary:
    """What a run did, for the runs dataset, the artifacts and the CLI."""

    run_id: str
    started: datetime
    raw_dir: str
    finished: datetime | None = None
    changes: Counter[str] = field(default_factory=Counter)
    documents: list[dict[str, object]] = field(default_factory=list)
    pages_by_status: Counter[str] = field(default_factory=Counter)
    problem_pages: list[dict[str, object]] = field(default_factory=list)
    articles_written: int = 0
    pruned: int = 0  # documents removed in an earlier run whose articles and pages this run dropped
    kind: str = "ingest"  # or "retry"
    flow_run_id: str | None = field(default_factory=lambda: current_flow_run_id())

    @property
    def failed_documents(self) -> int:
        return sum(1 for d in self.documents if d["status"] == "failed")

    @property
    def anything_failed(self) -> bool:
        return self.failed_documents > 0 or self.pages_by_status["failed"] > 0

    @property
    def wrote_nothing(self) -> bool:
        return not self.documents and not self.changes["removed"] and not self.pruned


def current_flow_run_id() -> str | None:
    """The Prefect flow-run id when called inside a flow run, else None (an idle run has none)."""
    import sys

    if "prefect" not in sys.modules:  # an idle run never imports Prefect
        return None
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def run_row(summary: RunSummary) -> dict[str, object]:
    failed = summary.failed_documents
    return {
        "run_id": summary.run_id,
        "started": summary.started,
        "finished": summary.finished,
        "raw_dir": summary.raw_dir,
        "documents_new": summary.changes["new"],
        "documents_changed": summary.changes["changed"],
        "documents_skipped": summary.changes["unchanged"],
        "documents_failed": failed,
        "documents_removed": summary.changes["removed"],
        "pages_ok": summary.pages_by_status["ok"],
        "pages_blank": summary.pages_by_status["blank"],
        "pages_failed": summary.pages_by_status["failed"],
        "pages_low_confidence": summary.pages_by_status["low_confidence"],
        "articles_written": summary.articles_written,
        "kind": summary.kind,
        "flow_run_id": summary.flow_run_id,
        "pipeline_version": PIPELINE_VERSION,
    }


def nothing_to_do(
    items: Sequence[InventoryItem], out_dir: Location, *, prune: bool, retry_failed: int = 0
) -> bool:
    """Whether a run over this inventory would change no dataset: nothing new, changed or
    removed, and (with ``prune``) no removed document whose articles or pages are still kept.
    """
    if any(item.change != "unchanged" for item in items):
        return False
    if retry_failed:
        from docpipe.healing import pages_to_heal, read_page_states

        unchanged = {item.source_file: item.doc_id for item in items if item.doc_id}
        if pages_to_heal(read_page_states(out_dir), unchanged=unchanged, max_attempts=retry_failed):
            return False
    return not (prune and removed_documents_still_kept(out_dir))


def removed_documents_still_kept(out_dir: Location) -> bool:
    for row in read_dataset(out_dir, "documents").to_pylist():
        if row["status"] == "removed" and any(
            document_exists(out_dir, dataset, row["doc_kind"], row["source_file"])
            for dataset in ("articles", "pages")
        ):
            return True
    return False


def record_idle_run(raw_dir: Location, out_dir: Location, items: Sequence[InventoryItem]) -> RunSummary:
    """Write the runs row of a run that had nothing to do (no Prefect needed for that)."""
    started = datetime.now(UTC)
    summary = RunSummary(run_id=new_run_id(), started=started, raw_dir=str(raw_dir))
    summary.changes.update(count_changes(items))
    summary.finished = datetime.now(UTC)
    write_run(out_dir, run_row(summary))
    return summary
