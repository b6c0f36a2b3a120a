"""The package keeps its rooms (README, Architecture): no import cycles, the closed-file writer below the plans
and the readers, no private names used across modules, plain imports of the package's own modules, few modules
at the top level, and a command line that does not load what it does not use."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "python" / "savings_tracker"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


MODULES = _modules()


def _resolve(mod: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(mod: str, path: Path, *, top_level_only: bool = False):
    """(target module, imported names, line) for each import of the package's own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            target = _resolve(mod, path, node)
            if not target.startswith("savings_tracker"):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                yield (sub if sub in MODULES else target), a.name, node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("savings_tracker"):
                    yield a.name, "", node.lineno


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    graph = {}
    for mod, path in MODULES.items():
        graph[mod] = {t for t, _, _ in _imports(mod, path, top_level_only=top_level_only) if t in MODULES and t != mod}
    return graph


def test_no_import_cycles():
    """No cycle among the package's imports, those inside functions included (a module importing its own
    package's __init__ for a shared helper excepted)."""
    graph = _graph(top_level_only=False)
    for mod in graph:       # a package imports its children by design; edges to a parent package do not count
        graph[mod] = {t for t in graph[mod] if not mod.startswith(t + ".")}
    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append(stack[stack.index(m):] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for t in sorted(graph.get(m, ())):
            visit(t)
        stack.pop()

    for m in sorted(graph):
        visit(m)
    assert cycles == []


def test_the_writer_sits_below_plans_and_readers():
    allowed_plans = {"savings_tracker.plans.model", "savings_tracker.plans.writer"}
    for mod, path in MODULES.items():
        if not mod.startswith("savings_tracker.xlsx"):
            continue
        for target, _, line in _imports(mod, path):
            assert not target.startswith("savings_tracker.readers"), f"{mod}:{line} imports {target}"
            assert not target.startswith(("savings_tracker.excel", "savings_tracker.cli",
                                          "savings_tracker.documents")), f"{mod}:{line} imports {target}"
            if target.startswith("savings_tracker.plans"):
                assert target in allowed_plans, f"{mod}:{line} imports {target}"


def test_no_private_names_across_modules():
    for mod, path in MODULES.items():
        for target, name, line in _imports(mod, path):
            assert not (name.startswith("_") and not name.startswith("__")), f"{mod}:{line} imports {target}.{name}"
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        imported = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                    for a in n.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in imported \
                    and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value.id
                # only the package's own modules are policed; third-party privates are the caller's risk
                if any(m.endswith("." + owner) for m in MODULES):
                    raise AssertionError(f"{mod}:{node.lineno} uses {owner}.{node.attr}")


def test_own_modules_are_imported_plainly():
    for mod, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        assert "import_module(" not in text, mod


def test_few_modules_at_the_top_level_and_the_writer_has_its_own_package():
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= 8, top
    assert (PKG / "xlsx" / "__init__.py").exists() and not list(PKG.glob("xlsx_*.py"))


def test_validate_does_not_load_what_it_does_not_use(tmp_path):
    """`savings-tracker validate` of a CSV loads no workbook writer, document engine or xlwings."""
    sample = PKG / "samples" / "tracker_2017-18_october.csv"
    code = ("import sys; from savings_tracker.cli import main; code = main(['validate', %r]); "
            "print('LOADED:' + ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('xlsxwriter', 'docxtpl', 'docx', 'weasyprint', 'typst', 'xlwings', 'lxml', 'openpyxl', 'jinja2', "
            "'python_calamine', 'pyopenvba'))))" % str(sample))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [loaded] = [line for line in done.stdout.splitlines() if line.startswith("LOADED:")]
    assert loaded == "LOADED:"


# The commands a month's routine runs never load pandas (0.3-0.4 s of start-up): the register's lines are a
# column table (core/table.py). pandas is only for a user who asks for a DataFrame (Register.to_pandas).
ROUTINE = {
    "refresh": lambda book, tmp: ["refresh", "--backups", "0", str(book)],
    "validate": lambda book, tmp: ["validate", str(book)],
    "summary": lambda book, tmp: ["summary", str(book)],
    "snapshot": lambda book, tmp: ["snapshot", "--period", "October 2017", "--backups", "0", str(book)],
    "import": lambda book, tmp: ["import", str(PKG / "samples" / "tracker_2017-18_october.csv"), "--out",
                                 str(tmp / "imported.xlsm")],
}


def test_the_routine_commands_never_import_pandas(tmp_path):
    """Each command of the routine, run in its own process, exits without pandas (or numpy through it) in
    sys.modules, and does what it says (its exit status)."""
    import shutil

    book = tmp_path / "book.xlsm"
    shutil.copy(PKG.parents[1] / "workbook" / "Savings_Tracker.xlsm", book)
    for name, args in ROUTINE.items():
        code = ("import sys\nfrom savings_tracker.cli import main\ntry:\n    code = main(%r)\nexcept SystemExit as e:\n"
                "    code = e.code\nprint('EXIT:%%s' %% code)\nprint('PANDAS:%%s' %% ('pandas' in sys.modules))\n"
                "print('CASES:%%s' %% ('savings_tracker.readers.cases' in sys.modules))"
                % (args(book, tmp_path),))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, (name, done.stderr[-2000:])
        out = done.stdout.splitlines()
        assert any(line in ("EXIT:0", "EXIT:1", "EXIT:None") for line in out), (name, done.stdout, done.stderr)
        assert "PANDAS:False" in out, f"`savings-tracker {name}` imported pandas"
        # nor the business-case reader, for a tracker (a first look at the sheets rules them out)
        assert "CASES:False" in out, f"`savings-tracker {name}` imported readers.cases"
