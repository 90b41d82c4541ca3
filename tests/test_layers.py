"""The layers show in the imports: data flows one way, and the verifier never loads simulator code."""
import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "verifier"

# what each layer may import from the package (besides itself and the top-level verifier / verifier.errors)
ALLOWED = {
    "crypto": set(),
    "record": {"crypto"},
    "tally": {"record", "crypto"},
    "checks": {"tally", "record", "crypto"},
    "report": {"checks"},
    "engine": {"checks", "tally", "record", "crypto", "report"},
    "simulate": set(),  # a second implementation of SPEC.md: see test_simulator_shares_no_verifier_code
    "cli": {"engine", "report", "checks", "tally", "record", "crypto", "simulate"},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n.startswith("verifier.")}


def test_imports_point_one_way():
    wrong = []
    for layer, allowed in ALLOWED.items():
        for path in (PACKAGE / layer).rglob("*.py"):  # subpackages too (engine/phases)
            for name in _imports(path):
                target = name.split(".")[1]
                if target not in allowed | {layer, "errors"} and name != "verifier":
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []


def test_verifying_never_loads_the_simulator():
    code = ("import sys, verifier.cli, verifier.engine.run\n"
            "loaded = [m for m in sys.modules if m.startswith('verifier.simulate')]\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_only_the_cluster_engine_imports_dask():
    """Dask is the optional `cluster` extra: only verifier/engine/dask.py imports it, and only when an engine is made
    (tests/test_tooling.py runs the command line without it)."""
    importers = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            if any(n.split(".")[0] in ("dask", "distributed") for n in names):
                importers.append(str(path.relative_to(PACKAGE)))
    assert set(importers) == {"engine/dask.py"}
    code = ("import sys, verifier.cli, verifier.engine.run, verifier.engine.dask\n"
            "loaded = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_simulator_shares_no_verifier_code():
    """The simulator plays another party (the authority, dishonest actors): it writes records from SPEC.md with
    encoders of its own, so that a misreading of the spec shared by both sides cannot pass every test. Not even the
    top-level `verifier` package (SPEC_VERSION) nor a relative import that climbs out of verifier.simulate."""
    root = PACKAGE / "simulate"
    wrong = []
    for path in root.rglob("*.py"):
        depth = len(path.relative_to(root).parts) - 1  # 0 for simulate/x.py, 1 for simulate/faults/x.py
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level > depth + 1:
                    wrong.append(f"{path.relative_to(PACKAGE)}: relative import out of verifier.simulate")
                    continue
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                if (name == "verifier" or name.startswith("verifier.")) and not (
                        name == "verifier.simulate" or name.startswith("verifier.simulate.")):
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []
