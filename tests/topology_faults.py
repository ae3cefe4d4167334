"""Faults injected into a running `Topology` while visitors use it, each returning one
entry: what was done, the errors seen, the seconds until it recovered, and the writes the
application acknowledged against those found afterwards. Run by the topology test (short)
and by `benchmarks/faults.py` (longer, under more load)."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.topology import Browser, Topology

# The friendly page Mentora answers while its database cannot be reached (templates/503.html).
FRIENDLY_503 = "Back in a moment"


@dataclass
class Outcome:
    """What a group of visitors saw during a fault."""

    requests: int = 0
    errors: int = 0
    # Errors that were not Mentora's friendly 503 (a proxy's page, a traceback, a 500).
    unclean: list[str] = field(default_factory=list)
    # Seconds since the start of each request that failed, and of each that succeeded.
    failed_at: list[float] = field(default_factory=list)
    ok_at: list[float] = field(default_factory=list)
    lost_session: int = 0
    acknowledged: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, began: float, status: int, page: str, *, logged_in_as: str = "") -> None:
        with self.lock:
            self.requests += 1
            if status == 200 and logged_in_as and 'name="password"' in page:
                self.lost_session += 1
                status = 0
            if status == 200:
                self.ok_at.append(began)
                return
            self.errors += 1
            self.failed_at.append(began)
            if status != 503 or FRIENDLY_503 not in page or "Traceback" in page:
                self.unclean.append(f"{status}: {page[:200]!r}")

    def recovery_after(self, fault_at: float) -> float:
        """Seconds from the fault to the first success after the last failure (0 when
        nothing failed)."""
        if not self.failed_at:
            return 0.0
        last_failure = max(self.failed_at)
        later = [t for t in self.ok_at if t > last_failure]
        return round((min(later) if later else float("inf")) - fault_at, 2)


class Visitors:
    """`readers` logged-in visitors reading pages and, optionally, one mentor writing a
    goal into their pair's space every `write_every` seconds, until stopped."""

    def __init__(
        self,
        topology: Topology,
        *,
        readers: int = 4,
        pages: tuple[str, ...] = ("/", "/programmes/"),
        email: str = "manager@example.org",
        writer_pair: int | None = None,
        write_every: float = 0.3,
    ) -> None:
        self.topology = topology
        self.outcome = Outcome()
        self.stop = threading.Event()
        self.start_time = time.monotonic()
        self.threads: list[threading.Thread] = []
        for index in range(readers):
            browser = Browser(topology.base)
            browser.login(email)
            page = pages[index % len(pages)]
            self.threads.append(threading.Thread(target=self._read, args=(browser, page, email)))
        if writer_pair is not None:
            writer = Browser(topology.base)
            writer.login("mentor@example.org")
            self.threads.append(
                threading.Thread(target=self._write, args=(writer, writer_pair, write_every))
            )
        for thread in self.threads:
            thread.daemon = True
            thread.start()

    def now(self) -> float:
        return time.monotonic() - self.start_time

    def _read(self, browser: Browser, page: str, email: str) -> None:
        while not self.stop.is_set():
            began = self.now()
            try:
                status, body = browser.get(page)
            except OSError as error:
                status, body = 0, f"connection: {error}"
            self.outcome.record(began, status, body, logged_in_as=email)
            time.sleep(0.05)

    def _write(self, browser: Browser, pair_id: int, every: float) -> None:
        while not self.stop.is_set():
            theme = f"Fault drill {uuid.uuid4().hex[:12]}"
            began = self.now()
            try:
                status, body = browser.post_no_redirect(
                    f"/pairs/{pair_id}/goals/",
                    {
                        "csrfmiddlewaretoken": browser.csrf_token(),
                        "theme": theme,
                        "description": "",
                        "submission": str(uuid.uuid4()),
                    },
                )
            except OSError as error:
                status, body = 0, f"connection: {error}"
            # The goal is acknowledged by the redirect back to the pair's space.
            if status == 302:
                with self.outcome.lock:
                    self.outcome.acknowledged.append(theme)
                self.outcome.record(began, 200, "")
            else:
                self.outcome.record(began, status, body)
            time.sleep(every)

    def finish(self) -> Outcome:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        return self.outcome


def goals_found(topology: Topology, themes: list[str]) -> int:
    if not themes:
        return 0
    rows = topology.sql("SELECT count(*) FROM relationships_goal WHERE theme = ANY(%s)", themes)
    return int(rows[0][0])


def mentor_pair(topology: Topology) -> int:
    rows = topology.sql(
        "SELECT pair.id FROM relationships_pair pair "
        "JOIN programmes_participant mentor ON mentor.id = pair.mentor_id "
        "JOIN accounts_user u ON u.id = mentor.user_id "
        "WHERE u.email = 'mentor@example.org' ORDER BY pair.id LIMIT 1"
    )
    return int(rows[0][0])


def wait_for(check: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(step)
    return False


def entry(fault: str, outcome: Outcome, recovery: float, **extra: Any) -> dict[str, Any]:
    return {
        "fault": fault,
        "requests": outcome.requests,
        "errors": outcome.errors,
        "unclean_errors": len(outcome.unclean),
        "unclean_examples": outcome.unclean[:3],
        "lost_sessions": outcome.lost_session,
        "recovery_s": recovery,
        **extra,
    }


# ---- the faults ----------------------------------------------------------------------------


def app_server_killed(topology: Topology, *, readers: int = 4, after: float = 8) -> dict[str, Any]:
    """SIGKILL the first application server while logged-in visitors read pages; the load
    balancer sends everything to the second, and nobody is logged out."""
    visitors = Visitors(topology, readers=readers)
    time.sleep(2)
    fault_at = visitors.now()
    topology.kill_app(0)
    time.sleep(after)
    outcome = visitors.finish()
    topology.start_app(0)
    back = wait_for(lambda: topology.health(topology.app_ports[0])[0] == 200, 120)
    return entry(
        "application server SIGKILLed under load",
        outcome,
        outcome.recovery_after(fault_at),
        writes_acknowledged=0,
        writes_found=0,
        restarted_server_healthy=back,
    )


def worker_killed_in_a_round(topology: Topology, *, readers: int = 2) -> dict[str, Any]:
    """SIGKILL the worker running a matching round, part-way through: the round is taken
    over by another worker and stored exactly once."""
    import psycopg

    previous = topology.sql(
        "SELECT r.id FROM rounds_matchinground r WHERE r.status = 'done' "
        "AND r.mentee_id IS NULL ORDER BY r.id LIMIT 1"
    )[0][0]
    visitors = Visitors(topology, readers=readers)
    manager = Browser(topology.base)
    manager.login("manager@example.org")
    # Hold the workers while the round is queued, so that the round's table can be
    # locked first: the worker that takes the round then stops inside it, before it
    # stores a single proposal, until it is killed.
    for worker in topology.workers:
        worker.signal_stop()
    lock = psycopg.connect(topology.cluster.url("mentora"))
    try:
        status, _ = manager.post_no_redirect(
            f"/rounds/{previous}/rerun/", {"csrfmiddlewaretoken": manager.csrf_token()}
        )
        assert status == 302, status
        round_id = topology.sql("SELECT max(id) FROM rounds_matchinground")[0][0]
        lock.execute("LOCK TABLE rounds_proposal IN ACCESS EXCLUSIVE MODE")
        for worker in topology.workers:
            worker.signal_continue()

        def stuck() -> bool:
            rows = topology.sql(
                "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
                "WHERE task_path = 'mentora.rounds.tasks.run_round' "
                "AND args_kwargs -> 'args' = %s::jsonb",
                f"[{round_id}]",
            )
            waiting = topology.sql("SELECT count(*) FROM pg_locks WHERE NOT granted")[0][0]
            return bool(rows) and rows[0][0] == "RUNNING" and waiting > 0

        assert wait_for(stuck, 60), "the round never started"
        owner = topology.sql(
            "SELECT worker_ids ->> -1 FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'mentora.rounds.tasks.run_round' "
            "AND args_kwargs -> 'args' = %s::jsonb",
            f"[{round_id}]",
        )[0][0]
        index = int(re.fullmatch(r"worker([0-9]+)-.*", owner).group(1))  # type: ignore[union-attr]
        fault_at = time.monotonic()
        topology.kill_worker(index)
    finally:
        lock.rollback()
        lock.close()
    done = wait_for(
        lambda: (
            topology.sql("SELECT status FROM rounds_matchinground WHERE id = %s", round_id)[0][0]
            == "done"
        ),
        90,
    )
    recovery = round(time.monotonic() - fault_at, 2)
    outcome = visitors.finish()
    topology.start_worker(index)
    proposals, mentees = topology.sql(
        "SELECT count(*), count(DISTINCT mentee_id) FROM rounds_proposal "
        "WHERE matching_round_id = %s",
        round_id,
    )[0]
    runs = topology.sql(
        "SELECT status, jsonb_array_length(worker_ids) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'mentora.rounds.tasks.run_round' AND args_kwargs -> 'args' = %s::jsonb",
        f"[{round_id}]",
    )
    return entry(
        "worker SIGKILLed in the middle of a matching round",
        outcome,
        recovery,
        round_done=done,
        proposals=proposals,
        duplicate_proposals=proposals - mentees,
        task=[{"status": status, "workers": workers} for status, workers in runs],
        writes_acknowledged=1,
        writes_found=int(done),
    )


def database_restarted(
    topology: Topology, *, readers: int = 4, after: float = 12
) -> dict[str, Any]:
    """Restart PostgreSQL (a fast shutdown, as `pg_ctlcluster ... restart` does) while
    visitors read and a mentor writes: the pages in between are Mentora's friendly 503,
    servers and workers reconnect, and every acknowledged write is there."""
    pair = mentor_pair(topology)
    visitors = Visitors(topology, readers=readers, writer_pair=pair)
    time.sleep(3)
    fault_at = visitors.now()
    began = time.monotonic()
    topology.restart_database()
    back_at = time.monotonic()
    workers_back = wait_for(
        lambda: (
            topology.health()[0] == 200
            and topology.health()[1].get("workers") == len(topology.workers)
        ),
        30,
    )
    workers_seconds = round(time.monotonic() - back_at, 2)
    time.sleep(after)
    outcome = visitors.finish()
    acknowledged = outcome.acknowledged
    return entry(
        "PostgreSQL restarted under load",
        outcome,
        outcome.recovery_after(fault_at),
        restart_seconds=round(back_at - began, 2),
        workers_back=workers_back,
        workers_back_after_s=workers_seconds,
        writes_acknowledged=len(acknowledged),
        writes_found=goals_found(topology, acknowledged),
    )


INVITE = """
from mentora.accounts.models import Role, User
from mentora.accounts.services import member_invite
admin = User.objects.get(email="orgadmin@example.org")
organisation = admin.memberships.first().organisation
for index in range({count}):
    member_invite(
        organisation=organisation,
        email=f"{prefix}-{{index}}@drill.example",
        role=Role.MENTOR,
        actor=admin,
        language="en",
    )
"""


def invite(topology: Topology, prefix: str, count: int) -> list[str]:
    """The organisation's administrator invites `count` new people: one e-mail each."""
    topology.manage("shell", "-c", INVITE.format(prefix=prefix, count=count))
    return [f"{prefix}-{index}@drill.example" for index in range(count)]


def deliveries(topology: Topology, addresses: list[str]) -> dict[str, list[str]]:
    """The Message-IDs the mail server received for each address."""
    wanted = set(addresses)
    found: dict[str, list[str]] = {address: [] for address in addresses}
    for message in topology.smtp.messages:
        if message["To"] in wanted:
            found[str(message["To"])].append(str(message["Message-ID"]))
    return found


def mail_entry(
    fault: str, outcome: Outcome, recovery: float, found: dict[str, list[str]], **extra: Any
) -> dict[str, Any]:
    return entry(
        fault,
        outcome,
        recovery,
        emails_queued=len(found),
        emails_delivered=sum(1 for ids in found.values() if ids),
        # A second e-mail with a different Message-ID: a true duplicate.
        emails_sent_twice=sum(1 for ids in found.values() if len(set(ids)) > 1),
        # The same message again (the server accepted it as its sender died): mail
        # clients show one.
        same_message_again=sum(len(ids) - len(set(ids)) for ids in found.values()),
        emails_lost=sum(1 for ids in found.values() if not ids),
        writes_acknowledged=len(found),
        writes_found=sum(1 for ids in found.values() if ids),
        **extra,
    )


def smtp_refused(topology: Topology, *, seconds: float = 15, count: int = 5) -> dict[str, Any]:
    """The mail server refuses connections for `seconds` while invitations are sent: the
    e-mails wait in the outbox and go out, once each, when it is back."""
    visitors = Visitors(topology, readers=2)
    prefix = f"outage-{uuid.uuid4().hex[:6]}"
    topology.smtp.stop()
    fault_at = time.monotonic()
    addresses = invite(topology, prefix, count)
    time.sleep(max(0.0, seconds - (time.monotonic() - fault_at)))
    refused_meanwhile = sum(1 for ids in deliveries(topology, addresses).values() if ids)
    topology.smtp.start()
    back_at = time.monotonic()
    arrived = wait_for(lambda: all(deliveries(topology, addresses).values()), 60, step=0.5)
    recovery = round(time.monotonic() - back_at, 2) if arrived else float("inf")
    time.sleep(2)  # anything sent twice would arrive now
    outcome = visitors.finish()
    return mail_entry(
        f"SMTP server refusing connections for {seconds:.0f} s",
        outcome,
        recovery,
        deliveries(topology, addresses),
        delivered_during_outage=refused_meanwhile,
    )


def worker_killed_in_an_email_batch(topology: Topology, *, count: int = 30) -> dict[str, Any]:
    """SIGKILL the worker that is sending a batch of e-mails, while the mail server is
    receiving one of them: the rest of its batch is taken over by another worker."""
    visitors = Visitors(topology, readers=1)
    prefix = f"batch-{uuid.uuid4().hex[:6]}"
    topology.smtp.hold()
    try:
        addresses = invite(topology, prefix, count)
        assert wait_for(lambda: topology.smtp.holding > 0, 60), "no e-mail was being sent"
        owners = topology.sql(
            "SELECT worker_ids ->> -1 FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'mentora.notifications.tasks.deliver_outbox' "
            "AND status = 'RUNNING'"
        )
        assert owners, "no worker was sending"
        index = int(re.fullmatch(r"worker([0-9]+)-.*", owners[0][0]).group(1))  # type: ignore[union-attr]
        fault_at = time.monotonic()
        topology.kill_worker(index)
    finally:
        topology.smtp.release()
    arrived = wait_for(lambda: all(deliveries(topology, addresses).values()), 90, step=0.5)
    recovery = round(time.monotonic() - fault_at, 2) if arrived else float("inf")
    time.sleep(2)
    outcome = visitors.finish()
    topology.start_worker(index)
    return mail_entry(
        "worker SIGKILLed in the middle of an e-mail batch",
        outcome,
        recovery,
        deliveries(topology, addresses),
    )
