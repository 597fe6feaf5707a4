"""IncidentClient: the engine's and the CLI's way into the incident service (httpx).

Defaults come from harness.settings (DRILL_INCIDENTS_PORT, DRILL_API_TOKEN), so this module
is host-side only; the server never imports it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from harness.errors import ConfigError, IncidentServiceError


class IncidentClient:
    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout_s: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        from harness import settings

        self.base_url = (base_url or settings.url("incidents")).rstrip("/")
        if token is None:
            try:
                token = settings.api_token()
            except ConfigError:
                token = ""  # reads still work; writes will answer 401
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout_s, transport=transport
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> IncidentClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise IncidentServiceError(
                f"incident service at {self.base_url} did not answer {method} {path}: {exc}"
            ) from exc
        if response.status_code >= 400:
            raise IncidentServiceError(
                f"{method} {path}: HTTP {response.status_code}: {_detail(response)}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise IncidentServiceError(f"{method} {path}: answer is not JSON") from exc

    def healthy(self) -> bool:
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def list_incidents(
        self, drill_id: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"drill_id": drill_id, "status": status}.items() if v}
        result: list[dict[str, Any]] = self._request("GET", "/api/v1/incidents", params=params)
        return result

    def get(self, incident_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", f"/api/v1/incidents/{incident_id}")
        return result

    def ack(self, incident_id: str, by: str = "drill") -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "POST", f"/api/v1/incidents/{incident_id}/ack", json={"by": by}
        )
        return result

    def resolve(self, incident_id: str, by: str = "drill", note: str = "") -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "POST", f"/api/v1/incidents/{incident_id}/resolve", json={"by": by, "note": note}
        )
        return result

    def set_status(self, incident_id: str, status: str, by: str = "drill") -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "POST", f"/api/v1/incidents/{incident_id}/status", json={"status": status, "by": by}
        )
        return result

    def post_update(
        self,
        incident_id: str,
        text: str,
        audience: str = "internal",
        customer_status: str | None = None,
        by: str = "drill",
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text, "audience": audience, "by": by}
        if customer_status:
            body["customer_status"] = customer_status
        result: dict[str, Any] = self._request(
            "POST", f"/api/v1/incidents/{incident_id}/updates", json=body
        )
        return result

    def assign_role(self, incident_id: str, role: str, person: str) -> dict[str, Any]:
        result: dict[str, Any] = self._request(
            "POST", f"/api/v1/incidents/{incident_id}/roles", json={"role": role, "person": person}
        )
        return result

    def register_drill(
        self,
        drill_id: str,
        scenario: str,
        started_at: datetime | str,
        clock_scale: float | None = None,
    ) -> dict[str, Any]:
        when = started_at.isoformat() if isinstance(started_at, datetime) else started_at
        body: dict[str, Any] = {"drill_id": drill_id, "scenario": scenario, "started_at": when}
        if clock_scale:
            body["clock_scale"] = clock_scale
        result: dict[str, Any] = self._request("POST", "/api/v1/drills", json=body)
        return result

    def end_drill(self, drill_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._request("POST", f"/api/v1/drills/{drill_id}/end")
        return result

    def list_alerts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._request("GET", "/api/v1/alerts")
        return result

    def oncall(self) -> dict[str, Any]:
        result: dict[str, Any] = self._request("GET", "/api/v1/oncall")
        return result


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail", body))[:300] if isinstance(body, dict) else str(body)[:300]
