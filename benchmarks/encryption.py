"""What encrypting private texts at rest costs a page: the time to encrypt and to decrypt
one text, and to decrypt everything a busy pair space shows at once.

Usage:  .venv/bin/python benchmarks/encryption.py [--runs 2000] [--chars 1500]

No database: the cost is the cipher's alone (Fernet, as `mentora/core/crypto.py` uses it),
measured in this process. A pair space with 40 meetings shows at most 40 x 5 meeting texts
plus the agreement, goals and feedback: 250 texts is counted as one busy page.
The last line printed is JSON: {"chars": n, "encrypt_us": .., "decrypt_us": .., "page_ms": ..}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402

from mentora.core.crypto import Keyring, key_id  # noqa: E402

TEXTS_ON_A_BUSY_PAGE = 250


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=1500)
    args = parser.parse_args()
    key = Fernet.generate_key().decode()
    ring = Keyring(((key_id(key), Fernet(key)),))
    text = ("We talked about leading without authority. " * 100)[: args.chars]

    def each(work: Callable[[], object], runs: int) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    stored = ring.encrypt(text)
    encrypt = each(lambda: ring.encrypt(text), args.runs)
    decrypt = each(lambda: ring.decrypt(stored), args.runs)
    page = decrypt * TEXTS_ON_A_BUSY_PAGE
    print(f"text of {args.chars} characters, stored as {len(stored)}")
    print(f"encrypt one: {encrypt * 1e6:.0f} µs, decrypt one: {decrypt * 1e6:.0f} µs (median)")
    print(f"decrypting {TEXTS_ON_A_BUSY_PAGE} texts of a busy pair space: {page * 1e3:.1f} ms")
    print(
        json.dumps(
            {
                "chars": args.chars,
                "stored_chars": len(stored),
                "encrypt_us": round(encrypt * 1e6, 1),
                "decrypt_us": round(decrypt * 1e6, 1),
                "page_ms": round(page * 1e3, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
