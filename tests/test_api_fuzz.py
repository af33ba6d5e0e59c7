"""Property-based tests of the whole API against the OpenAPI document it serves (/api/v1/openapi.json).

Every operation in the document — whoever added it (the catalogue and statistics routers add theirs) — is called
in-process through the WSGI application with data that fits the schema (positive) and data that does not
(negative); each generated request is sent anonymously and with an API token of every persona, so all of them meet
the same inputs. Checked: no server error, the status code and content
type are documented, the body matches the documented schema, and invalid input is refused with a 4xx.

Reproducible and bounded: hypothesis is derandomized (the same examples every run) with a few examples per
operation, persona and mode, no deadline, and no example database.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from ocop.api.tokens import create_token
from ocop.certificates.tests.util import make_certificate
from ocop.stamps.tests.util import make_batch
from ocop.testing import ALL

# Examples per operation and generation mode (each sent by the ten personas): enough to reach the branches of
# parameter parsing and scoping (ids that exist and ids that do not, bodies that pass and fail the forms) while
# the whole run stays well under two minutes per database on a small machine.
EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 2}
CHECKS = {
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ],
    GenerationMode.NEGATIVE: [not_a_server_error, status_code_conformance, negative_data_rejection],
}


def _headers(world) -> dict[str, dict[str, str]]:
    headers = {"anonymous": {}}
    for persona in ALL:
        if persona != "anonymous":
            secret = create_token(world.user(persona), "fuzz").secret
            headers[persona] = {"Authorization": f"Bearer {secret}"}
    return headers


def _run(operation, mode: GenerationMode, personas: dict[str, dict[str, str]]) -> None:
    checks = CHECKS[mode]

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    def run(case) -> None:
        for headers in personas.values():
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks, headers=headers)

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameters, no body): no negative case exists.
        if mode is GenerationMode.POSITIVE:
            raise


@pytest.fixture
def keep_connection():
    """Keep the test's database connection open across requests made through the real WSGI handler.

    The handler closes "old" connections when a request starts and finishes; inside the test's transaction
    that would close the connection the test runs in. Django's test client disconnects the same receiver.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, settings, keep_connection):
    from ocop.wsgi import application

    # The WSGI client of schemathesis calls the application as "localhost"; limits are tested elsewhere.
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_RATE_ANONYMOUS = 10**9
    settings.API_RATE_TOKEN = 10**9
    # Records for the ids the fuzzing may hit: certificates, a lot with a ready batch of stamps.
    make_certificate(world.product_b, star=5)
    make_batch(world.product_a, count=3)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def test_every_operation_holds_its_schema(world, api_schema):
    personas = _headers(world)
    assert set(personas) == set(ALL)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    document = api_schema.raw_schema["paths"]
    assert len(operations) == sum(1 for item in document.values() for method in item if method != "parameters")
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, personas)
