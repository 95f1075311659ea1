"""``fundflow export --format datapackage``: checked by the Frictionless framework's own validator.

Figures read by hand from shenyang-center-2024-budget.txt: 表3 L509 prints 2101202
财政对城乡居民基本医疗保险基金的补助 209,551.00 万元; Fushun's unit code is 071002.
"""
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli


def _frictionless() -> str:
    exe = Path(sys.executable).with_name("frictionless")
    found = str(exe) if exe.exists() else shutil.which("frictionless")
    assert found, "the frictionless command is missing: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="module")
def package(samples_store_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package")
    r = CliRunner().invoke(cli, ["export", "--format", "datapackage", "-o", str(out), "--store", str(samples_store_dir)])
    assert r.exit_code == 0, r.output
    return out


def _validate(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_frictionless(), "validate", "datapackage.json"], check=False, cwd=folder,
                          capture_output=True, text=True, timeout=300)


def test_frictionless_validate_passes(package):
    done = _validate(package)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "INVALID" not in done.stdout and done.stdout.count("VALID") >= 12


def test_schema_has_types_units_and_keys(package):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in descriptor["resources"]}
    lines = res["budget-lines"]["schema"]
    fields = {f["name"]: f for f in lines["fields"]}
    assert {"unit", "unitCode", "document", "scheme", "functionCode", "economicCode", "phase"} <= set(fields)
    assert fields["amount"]["type"] == "number" and fields["amount"]["unit"] == "CNY"
    assert fields["amount"]["columnType"] == "value" and fields["year"]["columnType"] == "date:fiscal-year"
    assert fields["functionCode"]["columnType"] == "functional-classification:generic:code"
    assert fields["unitCode"]["type"] == "string"
    refs = {fk["reference"]["resource"] for fk in lines["foreignKeys"]}
    assert refs == {"documents", "codes"}
    assert res["documents"]["schema"]["primaryKey"] == ["file"]


def test_rows_read_back_typed(package):
    from frictionless import Package

    pkg = Package(str(package / "datapackage.json"))
    rows = pkg.get_resource("budget-lines").read_rows()
    hit = [r for r in rows if r["functionCode"] == "2101202" and r["unitCode"] == "578002" and r["table"] == "表3"
           and r["amountType"] == "Total" and r["fundType"] is None]
    assert [r["amount"] for r in hit] == [Decimal(2095510000)]
    assert hit[0]["unit"] == "沈阳市医疗保障事务服务中心" and hit[0]["phase"] == "Budget"
    projects = pkg.get_resource("projects").read_rows()
    assert "071002" in {r["unitCode"] for r in projects}


def test_a_broken_package_fails_validation(package, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(package, broken)
    csv_path = broken / "data" / "budget-lines.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace('"2101202"', '"2109998"'), encoding="utf-8")
    done = _validate(broken)
    assert done.returncode != 0 and "foreign-key" in done.stdout
