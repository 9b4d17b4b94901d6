"""OperationOutcome issues the way terminology servers word and code them.

Each issue carries the FHIR issue code, a ``tx-issue-type`` coding (what kind of terminology
problem: invalid-code, invalid-display, not-found, not-in-vs, code-rule ...), the message id
tx.fhir.org uses (an extension clients match on), the text and where in the request it
points (``code``, ``Coding.code``, ``display`` ...). The wording follows tx.fhir.org's, so a
client that shows or matches those messages finds the same here.
"""

from __future__ import annotations

from typing import Any

TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"
MESSAGE_ID = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"


class Issue:
    __slots__ = ("severity", "code", "tx", "text", "where", "message_id")

    def __init__(self, severity: str, code: str, tx: str | None, text: str,
                 where: str | None = None, message_id: str | None = None) -> None:
        self.severity = severity      # error | warning | information
        self.code = code              # FHIR IssueType
        self.tx = tx                  # tx-issue-type code
        self.text = text
        self.where = where            # FHIRPath into the request (code, Coding.display ...)
        self.message_id = message_id

    def to_fhir(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.message_id:
            out["extension"] = [{"url": MESSAGE_ID, "valueString": self.message_id}]
        out["severity"] = self.severity
        out["code"] = self.code
        details: dict[str, Any] = {}
        if self.tx:
            details["coding"] = [{"system": TX_ISSUE_TYPE, "code": self.tx}]
        details["text"] = self.text
        out["details"] = details
        if self.where:
            out["location"] = [self.where]
            out["expression"] = [self.where]
        return out


def outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [i.to_fhir() for i in issues]}


def message(issues: list[Issue]) -> str | None:
    """The ``message`` output: the texts of the errors, then the warnings (information
    stays in ``issues``, as tx.fhir.org does)."""
    rank = {"error": 0, "warning": 1}
    texts = [i.text for i in sorted(issues, key=lambda i: rank.get(i.severity, 3))
             if i.severity in rank]
    return "; ".join(texts) or None


def _at(prefix: str, leaf: str) -> str:
    return f"{prefix}.{leaf}" if prefix else leaf


def coded(system: str, code: str, display: str | None = None) -> str:
    return f"{system}#{code}" + (f" ('{display}')" if display else "")


# -- the issues, one function each ------------------------------------------------------------
def unknown_code(code: str, system: str, version: str, prefix: str) -> Issue:
    return Issue("error", "code-invalid", "invalid-code",
                 f"Unknown code '{code}' in the CodeSystem '{system}' version '{version}'",
                 _at(prefix, "code"), "Unknown_Code_in_Version")


def hint(text: str, prefix: str) -> Issue:
    """medcode's own help after an error: which code was probably meant, and why."""
    return Issue("information", "informational", "code-comment", text, _at(prefix, "code"))


def unknown_system(system: str, prefix: str) -> Issue:
    return Issue("error", "not-found", "not-found",
                 f"A definition for CodeSystem '{system}' could not be found, so the code "
                 "cannot be validated", _at(prefix, "system"), "UNKNOWN_CODESYSTEM")


def unknown_version(system: str, version: str, valid: list[str], prefix: str) -> Issue:
    return Issue("error", "not-found", "not-found",
                 f"A definition for CodeSystem '{system}' version '{version}' could not be "
                 f"found, so the code cannot be validated. Valid versions: {', '.join(valid)}",
                 _at(prefix, "system"), "UNKNOWN_CODESYSTEM_VERSION")


def wrong_display(given: str, system: str, code: str, valid: str, prefix: str,
                  lenient: bool = False) -> Issue:
    return Issue("warning" if lenient else "error", "invalid", "invalid-display",
                 f"Wrong Display Name '{given}' for {system}#{code}. Valid display is "
                 f"'{valid}' (en) (for the language(s) '--')", _at(prefix, "display"),
                 "Display_Name_for__should_be_one_of__instead_of")


def not_in_value_set(system: str, code: str, display: str | None, vs: str,
                     prefix: str) -> Issue:
    return Issue("error", "code-invalid", "not-in-vs",
                 f"The provided code '{coded(system, code, display)}' was not found in the "
                 f"value set '{vs}'", _at(prefix, "code"),
                 "None_of_the_provided_codes_are_in_the_value_set_one")


def abstract_not_allowed(system: str, code: str, prefix: str) -> Issue:
    return Issue("error", "business-rule", "code-rule",
                 f"Code '{system}#{code}' is abstract, and not allowed in this context",
                 _at(prefix, "code"), "ABSTRACT_CODE_NOT_ALLOWED")


def not_billable(text: str, prefix: str) -> Issue:
    """Information: the code is a header (abstract): in the code system, not on a claim."""
    return Issue("information", "business-rule", "code-rule", text, _at(prefix, "code"))


def case_difference(given: str, correct: str, system: str, prefix: str) -> Issue:
    return Issue("information", "business-rule", "code-rule",
                 f"The code '{given}' differs from the correct code '{correct}' by case. "
                 f"Although the code system '{system}' is case insensitive, implementers are "
                 "strongly encouraged to use the correct case anyway", _at(prefix, "code"),
                 "CODE_CASE_DIFFERENCE")


def no_code(what: str = "coding | codeableConcept | code+system") -> Issue:
    return Issue("error", "invalid", None,
                 f"Unable to find code to validate (looked for {what} in parameters)")


__all__ = ["Issue", "MESSAGE_ID", "TX_ISSUE_TYPE", "message", "outcome"]
