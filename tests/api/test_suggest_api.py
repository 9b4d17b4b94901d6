"""POST /v1/suggest over the real store."""

from __future__ import annotations


def test_suggest_json(client) -> None:
    note = "Type 2 diabetic with peripheral neuropathy. No fever."
    r = client.post("/v1/suggest", json={"text": note, "system": "ICD-10-CM", "limit": 5,
                                         "on": "2026-05-04"})
    assert r.status_code == 200, r.text
    body = r.json()
    sugs = body["suggestions"]
    assert 0 < len(sugs) <= 5
    assert "E11.40" in [s["code"] for s in sugs]
    for s in sugs:
        for e in s["evidence"]:
            assert note[e["start"]:e["end"]] == e["text"]


def test_suggest_plain_text(client) -> None:
    r = client.post("/v1/suggest?system=ICD-10-CM&limit=3", content="Acute appendicitis.",
                    headers={"content-type": "text/plain"})
    assert r.status_code == 200, r.text
    assert r.json()["suggestions"][0]["code"].startswith("K35")


def test_suggest_errors(client) -> None:
    r = client.post("/v1/suggest", json={"note": "fever"})
    assert r.status_code == 400 and "text" in r.json()["message"]
    r = client.post("/v1/suggest", json={"text": "fever", "limit": "many"})
    assert r.status_code == 400 and "limit" in r.json()["message"]
    r = client.post("/v1/suggest", json={"text": "fever", "on": "2026-13-40"})
    assert r.status_code == 400
    r = client.post("/v1/suggest", json={"text": "fever", "system": "CPT"})
    assert r.status_code == 400
    r = client.post("/v1/suggest", content=b"{not json", headers={"content-type":
                                                                  "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["message"]
