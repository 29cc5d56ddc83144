"""Replace setuptools' editable-install finder with a static path to a folder of links.

`pip install -e .` maps our packages (`pbsite` is the folder `site/`) with an import hook that a
`.pth` file runs at every Python start-up: it imports pathlib, re, enum and importlib.util before
any of our code, about half of an empty interpreter's start-up. A citizen's recount
(`python -m voting.tally`) pays that on every run. This script, run by the Makefile right after
the install, reads the mapping setuptools wrote (so `pyproject.toml` stays the one list of
packages), makes `.venv/editable/` with one link per top-level package (`pbsite -> site`), and
points the `.pth` file at that folder: a plain path entry, as setuptools writes for a src layout.
The links are to folders, so new modules and migrations are seen at once, and the repository
root never goes on `sys.path` (`site/` would shadow the standard library's `site`).

Usage: python requirements/editable_links.py VENV
"""

import ast
import sys
import sysconfig
from pathlib import Path


def main(venv: str) -> None:
    site_packages = Path(sysconfig.get_paths()["purelib"])
    finders = sorted(site_packages.glob("__editable___borgerbudget_*_finder.py"))
    pth_files = sorted(site_packages.glob("__editable__.borgerbudget-*.pth"))
    if not pth_files:
        sys.exit(f"no editable install of borgerbudget in {site_packages}")
    if not finders:
        # Already a static path (the install did not change): nothing to do.
        return
    tree = ast.parse(finders[0].read_text(encoding="utf-8"))
    mapping = next(
        ast.literal_eval(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "MAPPING"
    )
    links = Path(venv).resolve() / "editable"
    links.mkdir(exist_ok=True)
    for old in links.iterdir():
        old.unlink()
    for name, folder in mapping.items():
        (links / name).symlink_to(folder, target_is_directory=True)
    for pth in pth_files:
        pth.write_text(f"{links}\n", encoding="utf-8")
    for finder in finders:
        finder.unlink()


if __name__ == "__main__":
    main(sys.argv[1])
