"""TEST-ONLY: run a workbook's xlwings Lite code on CPython the way xlwings Lite calls it.

Run as ``python tests/litecall.py REQUEST.json RESULT.json`` in a fresh process (the parent test builds the
request). It reproduces Lite's Python side, as xlwings' open-source Pyodide runtime does it
(xlwings/xlwings-server ``xlwings_server/wasm/wasm_runtime.py`` and ``wasm/config.py``):

* ``XLWINGS_ON_SERVER=true`` before xlwings is imported, so ``xlwings.script`` / ``xlwings.func`` are the
  Office.js decorators (``xlwings.server``), as in Lite;
* the ``main.py`` property is read from the workbook's web extension part, decoded, and executed as the
  module ``main`` (``create_module_from_string``); the installed savings_tracker is taken off ``sys.path``
  so only the copy carried inside ``main.py`` can be imported;
* python-calamine, typst and WeasyPrint are blocked (Lite's path must not import them);
* a script: ``book = xw.Book(json=payload)`` with the payload built from the workbook's contents
  (``xlremote.payload_from_workbook``), then ``await xlwings.server.custom_scripts_call(module=main,
  script_name=..., typehint_to_value={xw.Book: book})`` and ``book.json()``;
* a custom function: ``await xlwings.server.custom_functions_call(data, module=main)``.

The result file holds the returned actions (or function results), what was printed (Lite's output pane) and
the package modules that were imported, with the file each came from.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib.abc
import io
import json
import os
import sys
from pathlib import Path

BLOCKED = ("python_calamine", "typst", "weasyprint")


class _Block(importlib.abc.MetaPathFinder):
    attempts: list[str] = []      # every import of a blocked module, even one the code caught

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            _Block.attempts.append(name)
            raise ImportError(f"{name} is not available under xlwings Lite (blocked by tests/litecall.py)")
        return None


def _read_main(workbook: str) -> str:
    import html
    import re
    import zipfile

    with zipfile.ZipFile(workbook) as z:
        xml = z.read("xl/webextensions/webextension1.xml").decode("utf-8")
    m = re.search(r'<we:property name="main\.py" value="([^"]*)"/>', xml)
    return json.loads(html.unescape(m.group(1)))


def run(req: dict) -> dict:
    os.environ["XLWINGS_ON_SERVER"] = "true"
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    os.environ["SAVINGS_TRACKER_LITE_HOME"] = req["home"]
    sys.meta_path.insert(0, _Block())
    here = Path(__file__).resolve().parent
    repo_python = (here.parent / "python").resolve()
    sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != repo_python]
    sys.path.insert(0, str(here))

    import importlib.util

    import xlwings as xw
    import xlwings.server

    import xlremote

    sys.path.remove(str(here))
    if importlib.util.find_spec("savings_tracker") is not None:
        raise SystemExit("the installed savings_tracker is still importable: the test would prove nothing")

    out = io.StringIO()
    source = _read_main(req["workbook"])
    module = type(sys)("main")
    with contextlib.redirect_stdout(out):
        exec(compile(source, "main.py", "exec"), module.__dict__)
    sys.modules["main"] = module
    result: dict = {"calls": []}
    import time

    for call in req["calls"]:
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(out):
            if call["kind"] == "script":
                payload = xlremote.payload_from_workbook(call.get("workbook", req["workbook"]))
                book = xw.Book(json=payload)
                t0 = time.perf_counter()          # the call itself, as the macro benchmark times it
                try:
                    book = asyncio.run(xlwings.server.custom_scripts_call(
                        module=module, script_name=call["name"], typehint_to_value={xw.Book: book},
                        args=call.get("args", [])))
                    result["calls"].append({"actions": book.json()["actions"],
                                            "seconds": time.perf_counter() - t0})
                except Exception as exc:   # what Lite shows in its task pane
                    result["calls"].append({"error": f"{type(exc).__name__}: {exc}"})
                xlremote._clear_engine_cache()
            else:
                data = {"func_name": call["name"], "args": call["args"], "version": xw.__version__,
                        "client": "Office.js", "runtime": "1.4", "culture_info_name": "en-GB",
                        "date_format": "dd/mm/yyyy", "caller_address": "Tracker!A1"}
                try:
                    value = asyncio.run(xlwings.server.custom_functions_call(data, module=module))
                    result["calls"].append({"value": value})
                except Exception as exc:
                    result["calls"].append({"error": f"{type(exc).__name__}: {exc}"})
    result["printed"] = out.getvalue()
    result["modules"] = {name: getattr(m, "__file__", None) for name, m in sys.modules.items()
                         if name == "savings_tracker" or name.startswith("savings_tracker.")}
    result["blocked_loaded"] = sorted({*(n for n in sys.modules if n.split(".")[0] in BLOCKED), *_Block.attempts})
    result["scripts_meta"] = xlwings.server.custom_scripts_meta(module)
    result["functions_meta"] = [f["name"] for f in xlwings.server.custom_functions_meta(module)["functions"]]
    return result


if __name__ == "__main__":
    request = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(run(request), default=str))
