"""Progress bars that leave their final state behind, in a terminal and in a saved notebook alike.

:func:`progress_bar` picks how to draw:

* in a terminal (or any console), tqdm's text bar, redrawn in place;
* in a Jupyter kernel with ipywidgets, tqdm's widget bar, and its final state printed once as a
  line of text when it closes: a saved notebook keeps no widget state, so without that line it
  would show the bar as it was drawn first (0 %);
* in a Jupyter kernel without ipywidgets, no live bar (tqdm would warn, then fill the cell with
  redraws) but its final state printed once as a line of text when it closes.

Example:
    >>> with progress_bar(total=3, unit="row", desc="submitting", enabled=False) as bar:
    ...     bar.disable
    True
"""

from __future__ import annotations

import importlib
import io
import sys
from typing import Any, Literal, TextIO

from tqdm import tqdm

__all__ = ["DisplayMode", "display_mode", "progress_bar"]

DisplayMode = Literal["console", "widgets", "text"]


def display_mode() -> DisplayMode:
    """How bars are drawn here: ``console``, ``widgets`` (Jupyter with ipywidgets) or ``text`` (without).

    A Jupyter kernel is told the way tqdm tells it: its shell module is loaded.

    Example:
        >>> display_mode()  # doctests run outside any notebook
        'console'
    """
    if "ipykernel.zmqshell" not in sys.modules:
        return "console"
    try:
        importlib.import_module("ipywidgets")
    except ImportError:
        return "text"
    return "widgets"


class _FinalLine(tqdm):  # type: ignore[type-arg]
    """A bar drawn nowhere while it moves, whose final state is printed once, as a line, when it closes."""

    def __init__(self, *, out: TextIO | None = None, **options: Any) -> None:
        self._out = out
        # Drawn into a buffer nobody reads; the block characters of a terminal bar, not "#".
        super().__init__(file=io.StringIO(), ascii=False, **options)

    def close(self) -> None:
        if self.disable:  # closed already (tqdm disables a bar it closes), or never drawn
            super().close()
            return
        line = self.__str__()
        super().close()
        print(line, file=self._out if self._out is not None else sys.stderr, flush=True)


def _widget_bar(**options: Any) -> tqdm:  # type: ignore[type-arg]
    """tqdm's widget bar that also prints its final state as text when it closes."""
    notebook: Any = importlib.import_module("tqdm.notebook")

    class _WidgetWithFinalLine(notebook.tqdm):  # type: ignore[misc]
        def close(self) -> None:
            line = None if self.disable else self.format_meter(**self.format_dict)
            super().close()
            if line is not None:
                print(line, file=sys.stderr, flush=True)

    bar: tqdm = _WidgetWithFinalLine(**options)  # type: ignore[type-arg]
    return bar


def progress_bar(*, total: int, unit: str, desc: str, enabled: bool, out: TextIO | None = None) -> tqdm:  # type: ignore[type-arg]
    """A progress bar over ``total`` ``unit``s, drawn the way :func:`display_mode` says.

    Args:
        total: how many units make 100 %.
        unit: what is counted (``"row"``, ``"user"``).
        desc: the bar's label.
        enabled: False gives a bar that draws nothing and prints nothing.
        out: where the final line goes in ``text`` mode (default: standard error, as tqdm's bars).

    Example:
        >>> bar = progress_bar(total=2, unit="user", desc="running", enabled=False)
        >>> bar.total, bar.disable
        (2, True)
    """
    options: dict[str, Any] = {"total": total, "unit": unit, "desc": desc, "leave": True}
    if not enabled:
        return tqdm(disable=True, **options)
    mode = display_mode()
    if mode == "text":
        return _FinalLine(out=out, **options)
    if mode == "widgets":
        return _widget_bar(**options)
    return tqdm(**options)
