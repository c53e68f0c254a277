"""Counts the SQL queries of each request into an ``X-Queries`` response header (benchmarks only).

Listed in MIDDLEWARE only when settings.BENCH_BASELINE_VIEWS is on, first, so it counts the
queries of every other middleware too (sessions, authentication). It checks the setting again
per request, so a test can switch it off without rebuilding the middleware chain.
"""

from django.conf import settings
from django.db import connection


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "BENCH_BASELINE_VIEWS", False):
            return self.get_response(request)
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Queries"] = str(queries)
        return response
