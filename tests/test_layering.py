"""The package's layers: every module imports only from its own layer or the ones below it, and no
module is looked up by a name in a string."""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "tfsheet"

# lowest first; packages on one rank must not import each other
RANKS = {"errors": 0, "settings": 0, "results": 0, "console": 0, "choices": 0, "clock": 0, "addresses": 0,
         "data": 1, "layers": 2, "models": 3, "training": 4,
         "analysis": 5, "serving": 5, "experiments": 6, "runs": 7, "report": 7, "cli": 8, "__main__": 9}


def _part(module_path):
    relative = module_path.relative_to(PACKAGE).with_suffix("")
    return relative.parts[0] if relative.parts[0] != "__init__" else "__init__"


def _imported_parts(source):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tfsheet"):
            names = node.module.split(".")[1:]
            if names:
                yield names[0]
            else:
                yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tfsheet."):
                    yield alias.name.split(".")[1]


def test_lower_layers_never_import_higher_ones():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = _part(path)
        if part == "__init__":
            continue
        for imported in _imported_parts(path.read_text()):
            if imported == part:
                continue
            if RANKS[imported] > RANKS[part] or (RANKS[imported] == RANKS[part] and RANKS[part] > 0):
                wrong.append(f"{path.relative_to(PACKAGE)} imports tfsheet.{imported}")
    assert not wrong, "\n".join(wrong)


def test_every_package_has_a_rank():
    parts = {_part(path) for path in PACKAGE.rglob("*.py")} - {"__init__"}
    assert parts <= set(RANKS), parts - set(RANKS)


def test_no_module_is_looked_up_by_a_name_in_a_string():
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text()
        assert "importlib" not in source and "__import__" not in source, path
