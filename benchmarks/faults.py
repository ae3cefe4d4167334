"""Inject faults into the production topology while people use it, and say how it coped.

Usage:  .venv/bin/python benchmarks/faults.py [--people 400] [--readers 8]
                                               [--smtp-outage 60]

Starts the topology of tests/topology.py (HAProxy, two application servers, three
workers, its own PostgreSQL cluster, a real SMTP server) and, one after the other, under
`--readers` logged-in visitors reading pages (and a mentor writing goals into their
pair's space during the database restart):

- SIGKILL an application server;
- SIGKILL the worker running a matching round, part-way through it;
- SIGKILL the worker sending a batch of e-mails, while the mail server receives one;
- restart PostgreSQL (a fast shutdown, as `pg_ctlcluster ... restart`; the topology's own
  cluster, never the machine's shared one);
- refuse SMTP connections for `--smtp-outage` seconds while invitations are sent.

The topology test runs the same faults, shorter. Each entry says what was done, the
errors visitors saw (and how many were not Mentora's friendly 503 page), the seconds
until it recovered, and the writes acknowledged against those found afterwards. The last
line printed is JSON: {"faults": [entry, ...], "load_average": [1, 5, 15 min]}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--smtp-outage", type=float, default=60)
    args = parser.parse_args()

    from tests import topology_faults as faults
    from tests.topology import Topology

    began = time.monotonic()
    entries = []
    with Topology.start(people=args.people) as topology:
        print(f"topology ready in {time.monotonic() - began:.0f} s: {topology.timings}")
        for run in (
            lambda: faults.app_server_killed(topology, readers=args.readers, after=15),
            lambda: faults.worker_killed_in_a_round(topology, readers=args.readers),
            lambda: faults.worker_killed_in_an_email_batch(topology),
            lambda: faults.database_restarted(topology, readers=args.readers, after=15),
            lambda: faults.smtp_refused(topology, seconds=args.smtp_outage),
        ):
            entry = run()
            print(json.dumps(entry), flush=True)
            entries.append(entry)
    print(json.dumps({"faults": entries, "load_average": list(os.getloadavg())}))


if __name__ == "__main__":
    main()
