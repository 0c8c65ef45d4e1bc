"""``bulkprep demo``: the story it prints on the bundled sample, against its in-process sandbox."""

from __future__ import annotations

import io
from pathlib import Path

from bulkprep.demo import run_demo


def test_the_demo_reads_phones_in_each_rows_country_and_sends_every_ready_row(tmp_path: Path) -> None:
    stream = io.StringIO()
    rows = run_demo(tmp_path / "results.csv", progress=False, stream=stream)
    story = stream.getvalue()
    assert "phones without a country code are read in each row's 'Country'" in story
    assert "Sending the 290 ready rows" in story
    assert "the sandbox holds 290 users, each once" in story
    assert rows["bulk_status"].value_counts().to_dict() == {"accepted": 290, "invalid": 20, "duplicate": 5}
    # The UK number written in national form is read as British, through the sample's Country column.
    uk = rows.set_index("bulk_row").loc[163]
    assert (uk["Phone"], uk["Country"], uk["bulk_status"]) == ("07406 194974", "UK", "accepted")
    assert (tmp_path / "results.csv").is_file()
