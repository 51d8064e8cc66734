#!/usr/bin/env python3
"""Module import map of the portal crate (`portal/src`).

Why: the portal must not grow import cycles, and `ARCHITECTURE.md` says which
layer may import which. This script shows where the code stands: it maps every
`.rs` file to its module path, collects every `crate::…` and `super::…` path in
the code (comments and strings stripped; `use crate::{a, b::c}` groups expanded;
`#[path]` modules and inline `mod x { … }` blocks followed) and collapses each
edge to the top two module levels (`server::live` -> `experiments::runner`).
Relative paths (`self::…`, a mod.rs naming its own children) are not edges.

Prints (1) edges between top-level modules with reference counts, (2) cycles
(strongly connected components) among second-level and top-level modules,
(3) imports of `pages::…` from outside `pages/` and `app.rs`.

Test code — `#[cfg(test)]` modules, inline or in their own file — is left out of the
map, as `cargo modules` does by default: a test may drive the whole router from
anywhere. Its edges are listed at the end, for information.

    python3 portal/tools/import-map.py [--check] [--src portal/src]

`--check` exits 1 on any cycle or on any import of `pages` outside `app.rs` (the
page routes; `router.rs` joins them with the server and imports `app`, never `pages`).
"""
import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROUTER_FILES = {"app.rs"}
CFG_TEST = re.compile(r"#\[cfg\(test\)\]")
# The attributes right before an item: everything since the last `;`, `{` or `}`.
ITEM_START = re.compile(r"[;{}][^;{}]*$")
PATH_ATTR = re.compile(r'#\[path\s*=\s*"([^"]+)"\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;')


def module_of(rel: Path) -> list[str]:
    parts = list(rel.with_suffix("").parts)
    return parts[:-1] if parts[-1] in ("mod", "lib") else parts


# Comments, raw strings, strings, char literals (not lifetimes); nested /* */ is not handled.
LEX = re.compile(r"""//[^\n]*|/\*.*?\*/|(?<!\w)b?r(#*)".*?"\1|(?<!\w)b?"(?:\\.|[^"\\])*"|'(?:\\.[^']*|[^\\'])'""", re.S)


def strip(text: str) -> str:
    """Blank out comments, strings and char literals, keeping offsets and newlines."""
    return LEX.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


TOKEN = re.compile(r"(?<![\w$:])(crate|super)(?=\s*::)|\b(?:mod\s+(\w+)\s*\{)|([{}])")


def cfg_test_before(text: str, at: int) -> bool:
    """Whether the item starting at `at` carries `#[cfg(test)]`."""
    m = ITEM_START.search(text, 0, at)
    return bool(CFG_TEST.search(text[m.start() if m else 0 : at]))


def test_file_modules(text: str) -> set[str]:
    """Names of `#[cfg(test)] mod x;` declared in this file."""
    return {m.group(1) for m in re.finditer(r"\bmod\s+(\w+)\s*;", text) if cfg_test_before(text, m.start())}
IDENT, COLONS, GROUP_SEP = re.compile(r"\s*(\w+|\*)"), re.compile(r"\s*::\s*"), re.compile(r"\s*(?:as\s+\w+\s*)?([,}])")


def parse_tree(text: str, i: int) -> tuple[list[list[str]], int]:
    """Parse `a::b::{c, d::e}` at i; return suffix lists and the end offset."""
    segs: list[str] = []
    while True:
        if m := IDENT.match(text, i):
            segs.append(m.group(1))
            i = m.end()
        m = COLONS.match(text, i)
        if not m:
            break
        i = m.end()
        if text[i : i + 1] == "{":
            i, trees = i + 1, []
            while True:
                sub, i = parse_tree(text, i)
                trees += [segs + s for s in sub if s]  # `{a, b,}`: no empty tail
                m = GROUP_SEP.match(text, i)
                if not m or m.group(1) == "}":
                    return trees, m.end() if m else i
                i = m.end()
        if not IDENT.match(text, i):
            break
    return [segs], i


def scan(path: Path, module: list[str], in_test: bool):
    """Yield (line, current module, absolute path segments, in test code) for each path."""
    text = strip(path.read_text(encoding="utf-8"))
    # One entry per open brace: (a name for `mod x {`, whether it is `#[cfg(test)]`).
    stack: list[tuple[str | None, bool]] = []
    pos = 0
    while m := TOKEN.search(text, pos):
        pos = m.end()
        if m.group(3) == "}" or m.group(3) == "{" or m.group(2):
            if m.group(3) == "}":
                stack.pop() if stack else None
            else:
                stack.append((m.group(2), bool(m.group(2)) and cfg_test_before(text, m.start())))
            continue
        here = module + [name for name, _ in stack if name]
        test = in_test or any(t for _, t in stack)
        base = [] if m.group(1) == "crate" else here[:-1]
        trees, pos = parse_tree(text, m.end())
        line = text.count("\n", 0, m.start()) + 1
        for segs in trees:
            absolute = list(base)
            for s in segs:
                if s == "super":
                    absolute = absolute[:-1]
                elif s not in ("self", "*"):
                    absolute.append(s)
            yield line, here, absolute, test


def scc(edges) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index, low, on, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v), on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = [stack.pop()]
            while comp[-1] != v:
                comp.append(stack.pop())
            on.difference_update(comp)
            out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(c for c in out if len(c) > 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "src")
    args = ap.parse_args()
    src = args.src.resolve()
    rs = [f for f in sorted(src.rglob("*.rs")) if f != src / "main.rs"]  # main.rs: the binary crate
    files = {f: module_of(f.relative_to(src)) for f in rs}
    test_mods: set[tuple[str, ...]] = set()
    for f, mod in list(files.items()):
        text = f.read_text(encoding="utf-8")
        for m in PATH_ATTR.finditer(text):
            files[(f.parent / m.group(1)).resolve()] = mod + [m.group(2)]
        test_mods |= {tuple(mod + [n]) for n in test_file_modules(strip(text))}
    is_test = lambda mod: any(tuple(mod[:k]) in test_mods for k in range(1, len(mod) + 1))
    known = {tuple(m[:k]) for m in files.values() for k in range(len(m) + 1)}
    all_refs = [(f, *r) for f, mod in files.items() for r in scan(f, mod, is_test(mod))]
    known |= {tuple(here) for _, _, here, _, _ in all_refs}
    refs = [r[:4] for r in all_refs if not r[4]]
    test_edges: dict[tuple[str, str], list] = defaultdict(list)
    name = lambda ms: "::".join(ms) or "crate"
    edges2: dict[tuple[str, str], list] = defaultdict(list)
    pages_refs = []
    for f, line, here, absolute in refs:
        k = max(k for k in range(len(absolute) + 1) if tuple(absolute[:k]) in known)
        dst, srcm = absolute[:k][:2], here[:2]
        rel = f.relative_to(src).as_posix()
        if dst[:1] == ["pages"] and srcm[:1] != ["pages"] and rel not in ROUTER_FILES:
            pages_refs.append(f"{rel}:{line}  {'::'.join(absolute)}")
        if dst != srcm:
            edges2[(name(srcm), name(dst))].append(f"{rel}:{line}")
    for f, line, here, absolute, test in all_refs:
        k = max(k for k in range(len(absolute) + 1) if tuple(absolute[:k]) in known)
        a, b = here[:1], absolute[:k][:1]
        if test and a != b:
            test_edges[(name(a), name(b))].append(f"{f.relative_to(src).as_posix()}:{line}")
    top = lambda n: n.split("::")[0]
    edges1: dict[tuple[str, str], int] = defaultdict(int)
    for (a, b), locs in edges2.items():
        edges1[(top(a), top(b))] += len(locs) if top(a) != top(b) else 0
    edges1 = {e: n for e, n in edges1.items() if n}

    print("== edges between top-level modules (references) ==")
    for (a, b), n in sorted(edges1.items()):
        print(f"  {a:12} -> {b:12} {n:4}")
    for title, edges in (("second-level", edges2), ("top-level", edges1)):
        print(f"\n== cycles among {title} modules ==")
        comps = scc(edges)
        if not comps:
            print("  (none)")
        for comp in comps:
            print("  { " + ", ".join(comp) + " }")
            if edges is edges2:  # the imports that make the cycle, with one place each
                for a, b in sorted(e for e in edges2 if e[0] in comp and e[1] in comp):
                    print(f"      {a} -> {b}  x{len(edges2[(a, b)])}  e.g. {edges2[(a, b)][0]}")
    print("\n== pages imported outside pages/ and app.rs ==")
    print("\n".join("  " + r for r in pages_refs) or "  (none)")
    print("\n== edges only test code makes (#[cfg(test)]), not checked ==")
    only_test = sorted((e, locs) for e, locs in test_edges.items() if e not in edges1)
    print("\n".join(f"  {a:12} -> {b:12} e.g. {locs[0]}" for (a, b), locs in only_test) or "  (none)")
    bad = [c for edges in (edges2, edges1) for c in scc(list(edges))]
    if not args.check or not (bad or pages_refs):
        return 0
    print(f"\ncheck failed: {len(pages_refs)} import(s) of pages outside the router, "
          f"{len(bad)} cycle(s):", file=sys.stderr)
    for comp in bad:
        print("  { " + ", ".join(comp) + " }", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
