"""Timing pages in-process through Django's test client, for the page benchmarks."""

import os
import statistics
import time


def time_pages(client, pages: dict[str, str], *, repeat: int, title: str) -> None:
    """Request each page ``repeat`` times (after one warm-up) and print a Markdown table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print()
    print(f"{title}; median of {repeat} requests; machine: {os.cpu_count()} cores")
    print()
    print("| page | median | max | queries |")
    print("| --- | --- | --- | --- |")
    for name, url in pages.items():
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200
        print(f"| {name} | {statistics.median(times):.0f} ms | {max(times):.0f} ms | {len(queries)} |")
