"""Many operations in one request.

* A FHIR ``Bundle`` of type ``batch`` POSTed to ``/fhir``: each entry is an operation
  (``request.method`` GET with the parameters in ``request.url``, or POST with a Parameters
  ``resource``); the answer is a ``batch-response`` Bundle with one entry per request, in
  order, each with its own status (an entry that fails does not fail the others).
* ``ValueSet/$batch-validate-code`` (tx-ecosystem): one value set, many ``validation``
  Parameters; the answer holds one ``validation`` per input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from medcode.api import fhir_issues as I
from medcode.api import fhir_meta, fhir_ops, fhir_vs
from medcode.api.errors import ApiError, operation_outcome
from medcode.api.fhir_params import Params, from_query, items_of
from medcode.errors import MedcodeError
from medcode.store.db import Store

Operation = Callable[[Store, Params], dict[str, Any]]

#: operation paths (relative to /fhir) -> function
OPERATIONS: dict[str, Operation] = {
    "CodeSystem/$lookup": fhir_ops.lookup,
    "CodeSystem/$validate-code": fhir_ops.validate_code,
    "CodeSystem/$subsumes": fhir_ops.subsumes,
    "ValueSet/$expand": fhir_vs.expand,
    "ValueSet/$validate-code": fhir_vs.vs_validate_code,
}
#: most entries one batch may carry
MAX_ENTRIES = 10_000


def _status_of(exc: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, ApiError):
        return exc.status, exc.outcome or operation_outcome(exc.message, exc.issue or "invalid")
    from medcode.api.errors import status_of
    assert isinstance(exc, MedcodeError)
    return status_of(exc), operation_outcome(str(exc), "not-found" if status_of(exc) == 404
                                             else "invalid")


def run(store: Store, path: str, p: Params) -> tuple[int, dict[str, Any]]:
    """(status, resource) of one operation; errors become an OperationOutcome."""
    func = OPERATIONS.get(path)
    try:
        if func is None:
            if path.startswith("CodeSystem/") and "$" not in path:
                return 200, fhir_meta.read_code_system(store, path.split("/", 1)[1])
            raise ApiError(400, f"{path!r} is not an operation this server runs in a batch; "
                           "use one of " + ", ".join(OPERATIONS), issue="not-supported")
        return 200, func(store, p)
    except (ApiError, MedcodeError) as exc:
        return _status_of(exc)


def batch(store: Store, bundle: dict[str, Any]) -> dict[str, Any]:
    if bundle.get("type") != "batch":
        raise ApiError(400, f"a Bundle posted to /fhir must be of type 'batch', not "
                       f"{bundle.get('type')!r}", issue="not-supported")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ApiError(400, "Bundle.entry must be a list", issue="structure")
    if len(entries) > MAX_ENTRIES:
        raise ApiError(413, f"the batch has {len(entries)} entries; at most {MAX_ENTRIES} per "
                       "request", issue="too-costly")
    out = []
    for i, entry in enumerate(entries):
        status, resource = _entry(store, entry, i)
        out.append({"resource": resource, "response": {"status": _status_line(status)}})
    return {"resourceType": "Bundle", "type": "batch-response", "entry": out}


def _status_line(status: int) -> str:
    return {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found",
            413: "413 Payload Too Large", 422: "422 Unprocessable Entity",
            503: "503 Service Unavailable"}.get(status, str(status))


def _entry(store: Store, entry: Any, i: int) -> tuple[int, dict[str, Any]]:
    where = f"Bundle.entry[{i}]"
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        return 400, operation_outcome(f"{where}.request.url is missing", "structure")
    method = str(request.get("method") or "GET").upper()
    parts = urlsplit(request["url"])
    path = parts.path.strip("/")
    if path.startswith("fhir/"):
        path = path[5:]
    p = from_query(parse_qsl(parts.query, keep_blank_values=False))
    if method == "POST":
        resource = entry.get("resource")
        if not isinstance(resource, dict) or resource.get("resourceType") != "Parameters":
            return 400, operation_outcome(f"{where}.resource must be a Parameters resource "
                                          "for a POST", "structure")
        try:
            body = Params(items_of(resource))
        except ApiError as exc:
            return exc.status, operation_outcome(exc.message, exc.issue or "structure")
        for name, values in p.values.items():
            body.values.setdefault(name, values)
        p = body
    elif method != "GET":
        return 400, operation_outcome(f"{where}: method {method} is not supported in a batch "
                                      "(GET or POST)", "not-supported")
    return run(store, path, p)


def batch_validate(store: Store, p: Params) -> dict[str, Any]:
    """ValueSet/$batch-validate-code."""
    shared = {k: v for k, v in p.values.items() if k != "validation"}
    out = []
    for item in p.all("validation"):
        if not isinstance(item, dict) or item.get("resourceType") != "Parameters":
            raise ApiError(400, "each 'validation' must be a Parameters resource",
                           issue="structure")
        one = Params(items_of(item))
        for name, values in shared.items():
            one.values.setdefault(name, values)
        try:
            resource = fhir_vs.vs_validate_code(store, one)
        except (ApiError, MedcodeError) as exc:
            resource = _status_of(exc)[1]
        out.append({"name": "validation", "resource": resource})
    if not out:
        issue = I.Issue("error", "required", None, "no 'validation' parameter to run")
        raise ApiError(400, issue.text, outcome=I.outcome([issue]))
    return {"resourceType": "Parameters", "parameter": out}


__all__ = ["MAX_ENTRIES", "OPERATIONS", "batch", "batch_validate", "run"]
