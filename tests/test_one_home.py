"""Courier's user is declared once: a field added to courier.py reaches the mapping, validation and schema.

The package is copied, one field is added to ``To`` in the copy's courier.py, and a fresh interpreter
shows that nothing else needed a change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bulkprep

DECLARED = "    list_id: Annotated[StrictStr | None, Field(json_schema_extra=_IDENTIFIER)] = None\n"
ADDED = "    audience_id: Annotated[StrictStr | None, Field(json_schema_extra=_IDENTIFIER)] = None\n"

PROBE = """
import json
import pandas as pd
from bulkprep import Mapping, prepare
from bulkprep.errors import MappingError
from bulkprep.schema import mapping_schema

mapping = Mapping({"recipient": "id", "to": {"audience_id": "aud"}})
frame = pd.DataFrame({"id": ["u1", "u2", "u3"], "aud": ["a1", "2.02555E+09", None]})
prepared = prepare(frame, mapping)
try:
    Mapping({"recipient": "id", "to": {"audience_idd": "aud"}})
    near_miss = None
except MappingError as exc:
    near_miss = str(exc)
print(json.dumps({
    "summary": prepared.summary,
    "problems": prepared.errors[["bulk_row", "field", "code"]].to_dict("records"),
    "sent": prepared.df["bulk_user"].tolist()[0],
    "in_schema": "audience_id" in json.dumps(mapping_schema()),
    "near_miss": near_miss,
}))
"""


def test_a_field_added_to_courier_py_is_mapped_validated_and_in_the_schema(tmp_path: Path) -> None:
    package = Path(bulkprep.__file__).parent
    copy = tmp_path / "bulkprep"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    courier = copy / "courier.py"
    text = courier.read_text(encoding="utf-8")
    assert DECLARED in text, "the To model changed: update this test's anchor"
    courier.write_text(text.replace(DECLARED, DECLARED + ADDED, 1), encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["summary"] == {"ready": 2, "invalid": 1, "duplicate": 0}
    assert found["problems"] == [{"bulk_row": 1, "field": "to.audience_id", "code": "excel_mangled_number"}]
    assert found["sent"] == {"recipient": "u1", "to": {"audience_id": "a1"}}
    assert found["in_schema"] is True
    assert found["near_miss"] is not None
    assert "audience_id" in found["near_miss"]
