"""The public face of the package is deliberate: every exported name exists, and none is added by accident."""

import bulkprep


def test_all_names_exist_and_are_sorted() -> None:
    assert bulkprep.__all__ == sorted(bulkprep.__all__)
    for name in bulkprep.__all__:
        assert hasattr(bulkprep, name), name


def test_public_names_are_exactly_these() -> None:
    public = {name for name in vars(bulkprep) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(bulkprep, name)).__name__ == "module"}
    assert public - modules - {"annotations"} == set(bulkprep.__all__)
