"""What the archive holds, counted: its sources, months and languages (GET /api/stats and /api/sources)."""

from __future__ import annotations

from qa.storage import record
from qa.storage.database import Session


def sources(conn: Session) -> list[dict]:
    """Every source with its article count, dated range and undated count, the largest first."""
    rows = conn.execute(
        "SELECT source, count(*), min(date), max(date), sum(CASE WHEN date IS NULL THEN 1 ELSE 0 END) FROM documents "
        "GROUP BY source ORDER BY count(*) DESC, source"
    ).fetchall()
    return [
        {"source": source, "documents": int(n), "first_date": first, "last_date": last, "undated": int(undated)}
        for source, n, first, last, undated in rows
    ]


def months(conn: Session) -> list[dict]:
    """Articles per month (YYYY-MM) of their date, oldest first; undated ones are not counted here."""
    rows = conn.execute(
        "SELECT substr(date, 1, 7) AS month, count(*) FROM documents WHERE date IS NOT NULL "
        "GROUP BY month ORDER BY month"
    ).fetchall()
    return [{"month": month, "documents": int(n)} for month, n in rows]


def languages(conn: Session) -> list[dict]:
    rows = conn.execute("SELECT language, count(*) FROM documents GROUP BY language ORDER BY count(*) DESC").fetchall()
    return [{"language": language, "documents": int(n)} for language, n in rows]


def archive_stats(conn: Session) -> dict:
    """Counts, the date range, and articles per month, source and language (GET /api/stats)."""
    documents, passages = record.counts(conn)
    by_source = sources(conn)
    dated = [s for s in by_source if s["first_date"]]
    return {
        "documents": documents,
        "passages": passages,
        "first_date": min((s["first_date"] for s in dated), default=None),
        "last_date": max((s["last_date"] for s in dated), default=None),
        "undated": sum(s["undated"] for s in by_source),
        "months": months(conn),
        "sources": by_source,
        "languages": languages(conn),
    }
