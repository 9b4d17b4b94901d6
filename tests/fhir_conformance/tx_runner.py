"""Run the adapted tx-ecosystem cases against a medcode app (in-process) and compare the
answers with the expected responses (see tx_compare.py).

    .venv/bin/python tests/fhir_conformance/tx_runner.py            # prints the README table
    .venv/bin/python tests/fhir_conformance/tx_runner.py --record   # drafts missing responses

A drafted response is the server's answer with the suite's usual markers put in (message ids
and version optional, $uuid$/$instant$ for generated values): read it against the source test
of the suite before keeping it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from tx_compare import diff, scrub  # noqa: E402

#: operation -> (method, path)
PATHS = {"expand": ("POST", "/fhir/ValueSet/$expand"),
         "validate-code": ("POST", "/fhir/ValueSet/$validate-code"),
         "cs-validate-code": ("POST", "/fhir/CodeSystem/$validate-code"),
         "lookup": ("POST", "/fhir/CodeSystem/$lookup"),
         "batch-validate": ("POST", "/fhir/ValueSet/$batch-validate-code"),
         "metadata": ("GET", "/fhir/metadata"),
         "term-caps": ("GET", "/fhir/metadata?mode=terminology")}
#: what the runner adds to every request (tests/parameters-default.json)
DEFAULT = {"name": "uuid", "valueUuid": "urn:uuid:8acdbfdc-e9d2-11ed-a05b-0242ac120003"}


def load_cases() -> list[dict[str, Any]]:
    return json.loads((HERE / "cases.json").read_text())["cases"]  # type: ignore[no-any-return]


def response_file(case: dict[str, Any]) -> Path:
    return HERE / "responses" / f"{case['name']}.json"


def call(client: Any, case: dict[str, Any]) -> tuple[int, Any]:
    method, path = PATHS[case["operation"]]
    if method == "GET":
        r = client.get(path)
    else:
        body = json.loads(json.dumps(case["request"]))
        body["parameter"].append(DEFAULT)
        r = client.post(path, json=body, headers={"Content-Type": "application/fhir+json"})
    return r.status_code, scrub(r.json())


def check(client: Any, case: dict[str, Any]) -> str | None:
    """None when the case passes, else why not."""
    status, answer = call(client, case)
    want = case.get("http-code", "2xx")
    if str(status)[0] != want[0]:
        return f"HTTP {status}, expected {want}: {json.dumps(answer)[:300]}"
    expected = json.loads(response_file(case).read_text())
    pattern = case["operation"] in ("metadata", "term-caps")
    return diff(expected, answer, case["name"], pattern=pattern)


def table(results: dict[str, str | None]) -> str:
    cases = {c["name"]: c for c in load_cases()}
    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for name, problem in results.items():
        op = cases[name]["operation"]
        total[op] += 1
        passed[op] += problem is None
    lines = ["| operation | cases | passing |", "| --- | --- | --- |"]
    for op in PATHS:
        if total[op]:
            lines.append(f"| {op} | {total[op]} | {passed[op]} |")
    lines.append(f"| all | {sum(total.values())} | {sum(passed.values())} |")
    return "\n".join(lines)


def _marked(answer: Any) -> Any:
    """A first draft of an expected response: the suite's usual markers put in."""
    if isinstance(answer, list):
        return [_marked(a) for a in answer]
    if not isinstance(answer, dict):
        return answer
    out = {k: _marked(v) for k, v in answer.items()}
    if out.get("name") == "version" and "valueString" in out:
        out["$optional$"] = "warning:version"
    if out.get("url", "").endswith("operationoutcome-message-id"):
        out["$optional$"] = "!tx.fhir.org"
    if "location" in out and "expression" in out:
        out["$optional-properties$"] = ["location"]
    if out.get("severity") == "information" and "extension" not in out:
        out["$optional$"] = True  # medcode's own hint: a server without it passes too
    if "identifier" in out and "timestamp" in out:
        out.update(identifier="$uuid$", timestamp="$instant$")
    return out


def main() -> None:
    from fastapi.testclient import TestClient

    import medcode
    from medcode.api import create_app
    record = "--record" in sys.argv
    with TestClient(create_app(medcode.open_store())) as client:
        results = {}
        for case in load_cases():
            if record and not response_file(case).exists():
                _, answer = call(client, case)
                response_file(case).write_text(json.dumps(_marked(answer), indent=2) + "\n")
            results[case["name"]] = check(client, case)
            if results[case["name"]]:
                print(f"FAIL {case['name']}: {results[case['name']]}", file=sys.stderr)
    print(table(results))


if __name__ == "__main__":
    main()
