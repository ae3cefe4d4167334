"""gunicorn settings for `manage.py mentora_serve` (also usable as `gunicorn -c config/gunicorn.py
config.wsgi:application`). Every value can be overridden from the environment."""

import multiprocessing
import os
from typing import Any

from prometheus_client import multiprocess

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Pages are rendered in Python and wait on the database: two processes per core keep the
# cores busy while one waits, with a thread each for slow clients behind the proxy.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("WEB_THREADS", "2"))
# A request that runs longer than this is stopped; reports and exports that take longer
# run in the task worker.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A process is replaced after this many requests, so memory that grows is given back.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Mentora writes its own one-line JSON access log with the request id.
accesslog = None
errorlog = "-"
# The load balancer's address is trusted for X-Forwarded-For and -Proto (settings.py
# decides what Django believes).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "mentora"


def child_exit(server: object, worker: Any) -> None:
    # The metrics a stopped process counted stay in the totals, but not its gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
