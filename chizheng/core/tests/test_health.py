"""/healthz: liveness without login or database; `?db=1` pings the database and answers 503 when it is down."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from chizheng.core import views


def test_healthz_answers_ok_without_login_or_database(client: Client) -> None:
    # No django_db mark: any query here would raise "Database access not allowed".
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_db_pings_the_database(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(1) as ctx:
        response = client.get("/healthz", {"db": "1"})
    assert "SELECT 1" in ctx.captured_queries[0]["sql"]
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_db_answers_503_with_a_json_error_when_the_database_is_down(client: Client) -> None:
    down = mock.MagicMock()
    down.cursor.side_effect = OperationalError("connection refused")
    with mock.patch.object(views, "connection", down):
        response = client.get("/healthz", {"db": "1"})
        plain = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "database": "unavailable", "error": "OperationalError"}
    assert "connection refused" not in response.content.decode()  # no server details to the public
    assert plain.status_code == 200  # liveness does not depend on the database
