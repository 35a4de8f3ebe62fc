"""Deployments: `docpipe serve` and prefect.yaml offer ingest and retry, under distinct names,
with plain-text descriptions and schedules in a named time zone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from docpipe import cli
from tests.conftest import ROOT

PREFECT_YAML = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def test_serve_offers_ingest_and_retry_in_the_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import prefect

    served: list[Any] = []
    monkeypatch.setattr(prefect, "serve", lambda *deployments, **_: served.extend(deployments))
    (tmp_path / "raw").mkdir()
    argv = [
        "serve",
        "--raw",
        str(tmp_path / "raw"),
        "--out",
        str(tmp_path / "out"),
        "--timezone",
        "Asia/Shanghai",
    ]
    assert cli.main(argv) == 0
    by_name = {deployment.name: deployment for deployment in served}
    assert set(by_name) == {cli.DEPLOYMENT_NAME, cli.RETRY_DEPLOYMENT_NAME}
    assert by_name[cli.DEPLOYMENT_NAME].flow_name == "ingest"
    assert by_name[cli.RETRY_DEPLOYMENT_NAME].flow_name == "retry-pages"
    for deployment, cron in (
        (by_name[cli.DEPLOYMENT_NAME], cli.DEFAULT_CRON),
        (by_name[cli.RETRY_DEPLOYMENT_NAME], cli.DEFAULT_RETRY_CRON),
    ):
        [schedule] = deployment.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (cron, "Asia/Shanghai")
        assert deployment.parameters["out_dir"] == str((tmp_path / "out").resolve())
        assert "``" not in deployment.description and ":class:" not in deployment.description
        assert "\n" not in deployment.description


def test_prefect_yaml_mirrors_serve_under_other_names() -> None:
    deployments = {deployment["name"]: deployment for deployment in PREFECT_YAML["deployments"]}
    assert not set(deployments) & {cli.DEPLOYMENT_NAME, cli.RETRY_DEPLOYMENT_NAME}
    entrypoints = {deployment["entrypoint"]: deployment for deployment in deployments.values()}
    assert set(entrypoints) == {"flows/ingest.py:ingest", "flows/ingest.py:retry_pages"}
    assert entrypoints["flows/ingest.py:ingest"]["schedules"][0]["cron"] == cli.DEFAULT_CRON
    assert entrypoints["flows/ingest.py:retry_pages"]["schedules"][0]["cron"] == cli.DEFAULT_RETRY_CRON
    for deployment in deployments.values():
        assert deployment["schedules"][0]["timezone"] == cli.DEFAULT_TIMEZONE
        assert "`" not in deployment["description"]
