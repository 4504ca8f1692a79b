"""A URLconf whose views fail, for the error-page tests: the project's handler500 with it."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def bug(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug of ours")


handler500 = "cto.core.views.server_error"
urlpatterns = [path("database-gone/", database_gone), path("bug/", bug)]
