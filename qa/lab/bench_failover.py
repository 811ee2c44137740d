"""The failover part of `qa bench cluster --postgres`: the primary killed and the standby promoted,
cycle after cycle, under questions and a stream of writes through haproxy.

Each cycle: SIGKILL the primary; writes are answered 503 index_not_writable (with Retry-After) while
questions go on from the standby; promote the standby; writes resume; a new standby is built from the
new primary by pg_basebackup on the dead one's port. At the end every acknowledged write is looked
for on the primary of the last cycle. The same-run reference is a calm phase of the same clients
before the first cycle: its answers/s and writes/s.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass

from qa.lab.bench_serve import QUESTIONS
from qa.lab.cluster import Cluster, QuestionLoad
from qa.lab.failover import PostgresPair, WriteOutcome, WriteStream

REFUSED = (503, "index_not_writable")


@dataclass(frozen=True, slots=True)
class FailoverReport:
    cycles: int
    calm_answers_per_s: float
    calm_writes_per_s: float
    failover_answers_per_s: float
    questions_answered: int
    questions_failed: int
    writes_acknowledged: int
    writes_lost: int
    writes_refused: int
    refusals_without_retry_after: int
    writes_failed_otherwise: int
    refused_after_kill_p50_ms: float
    writes_resumed_after_promote_p50_ms: float
    writes_resumed_after_promote_max_ms: float
    write_outage_p50_ms: float
    failures: tuple[str, ...]

    def to_dict(self) -> dict:
        return {f"failover_{k}" if not k.startswith("failover") else k: v for k, v in _rounded(self).items()}


def _rounded(report: FailoverReport) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(report).items()}


def _first(writes: WriteStream, since: float, wanted, timeout: float = 60.0) -> WriteOutcome:
    """The first write sent after `since` (perf_counter) whose answer satisfies `wanted`."""
    return writes.wait_for(lambda o: o.sent_at >= since and wanted(o), timeout)


def measure_failover(
    cluster: Cluster, pair: PostgresPair, cycles: int, clients: int, calm_seconds: float, make_record
) -> FailoverReport:
    refused_ms, resumed_ms, outage_ms = [], [], []
    with QuestionLoad(cluster.base, clients, QUESTIONS) as calm:
        with WriteStream(cluster.base, cluster.env["QA_API_KEY"], make_record) as calm_writes:
            time.sleep(calm_seconds)
            calm_outcomes = calm_writes.stop()
        calm_result = calm.stop()
    calm_acked = sum(o.status == 201 for o in calm_outcomes)

    offset = len(calm_outcomes) + 1_000_000  # the failover's articles never share an id with the calm ones
    with (
        QuestionLoad(cluster.base, clients, QUESTIONS) as questions,
        WriteStream(cluster.base, cluster.env["QA_API_KEY"], lambda i: make_record(offset + i)) as writes,
    ):
        _first(writes, 0.0, lambda o: o.status == 201)
        for _ in range(cycles):
            killed = time.perf_counter()
            pair.stop_primary()
            refused = _first(writes, killed, lambda o: o.status != 201)
            refused_ms.append((refused.sent_at + refused.seconds - killed) * 1000)
            promoting = time.perf_counter()
            pair.promote()
            resumed = _first(writes, promoting, lambda o: o.status == 201)
            resumed_ms.append((resumed.sent_at + resumed.seconds - promoting) * 1000)
            outage_ms.append((resumed.sent_at + resumed.seconds - killed) * 1000)
            pair.rebuild_standby()
            _first(writes, time.perf_counter(), lambda o: o.status == 201)
        outcomes = writes.stop()
        result = questions.stop()

    acknowledged = {o.document_id for o in (*calm_outcomes, *outcomes) if o.status == 201}
    lost = acknowledged - pair.document_ids()
    refusals = [o for o in outcomes if (o.status, o.code) == REFUSED]
    others = [o for o in outcomes if o.status != 201 and (o.status, o.code) != REFUSED]
    return FailoverReport(
        cycles=cycles,
        calm_answers_per_s=calm_result.per_second,
        calm_writes_per_s=calm_acked / calm_seconds,
        failover_answers_per_s=result.per_second,
        questions_answered=result.answered,
        questions_failed=len(result.failures),
        writes_acknowledged=len(acknowledged),
        writes_lost=len(lost),
        writes_refused=len(refusals),
        refusals_without_retry_after=sum(o.retry_after is None for o in refusals),
        writes_failed_otherwise=len(others),
        refused_after_kill_p50_ms=statistics.median(refused_ms) if refused_ms else 0.0,
        writes_resumed_after_promote_p50_ms=statistics.median(resumed_ms) if resumed_ms else 0.0,
        writes_resumed_after_promote_max_ms=max(resumed_ms, default=0.0),
        write_outage_p50_ms=statistics.median(outage_ms) if outage_ms else 0.0,
        failures=(*result.failures[:5], *(f"write {o.status} {o.code}" for o in others[:5])),
    )
