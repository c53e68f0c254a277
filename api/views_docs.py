"""The API's interactive page."""

from django.shortcuts import render


def api_docs(request):
    """The interactive page of the OpenAPI document (Swagger UI from our own static files, under the CSP)."""
    return render(request, "api/docs.html")
