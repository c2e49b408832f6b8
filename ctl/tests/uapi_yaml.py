#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check uapi/blkmirror.yaml against uapi/blkmirror.h.

Reads the header's names and values as printed by `tests/unit uapi` (a C
program that includes the header, so the compiler is the judge) on stdin,
derives the same names from the YAML spec, and prints one TAP line
("ok - ..." / "not ok - ...") per kind of name.

The spec uses a small subset of YAML (block mappings and sequences, flow
lists, "|" block scalars, comments), parsed here so that the check needs
nothing beyond python3.
"""
import sys


def scalar(text):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [scalar(t) for t in text[1:-1].split(",") if t.strip()]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return int(text, 0)
    except ValueError:
        return text


def logical_lines(path):
    """(indent, text) pairs without comments; multi-line flow lists joined."""
    out = []
    with open(path) as f:
        raw = f.read().splitlines()
    i = 0
    while i < len(raw):
        line = raw[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "%YAML 1.2"):
            continue
        if stripped.endswith("|"):      # block scalar: keep its text as one value
            indent = len(line) - len(line.lstrip())
            body = []
            while i < len(raw) and (not raw[i].strip() or
                                    len(raw[i]) - len(raw[i].lstrip()) > indent):
                body.append(raw[i].strip())
                i += 1
            line = line.rstrip()[:-1] + '"' + " ".join(body).replace('"', "'") + '"'
        while "[" in line and "]" not in line and i < len(raw):
            line += " " + raw[i].strip()
            i += 1
        out.append((len(line) - len(line.lstrip()), line.strip()))
    return out


def parse_block(lines, i, indent):
    """Parse the block at @indent starting at lines[i]; return (value, next i)."""
    if lines[i][1].startswith("-"):
        return parse_sequence(lines, i, indent)
    return parse_mapping(lines, i, indent)


def parse_sequence(lines, i, indent):
    items = []
    while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
        rest = lines[i][1][1:].strip()
        if not rest:
            value, i = parse_block(lines, i + 1, lines[i + 1][0])
        elif ":" in rest and not rest.startswith("["):
            # "- key: value" starts a mapping whose keys sit after the dash
            lines[i] = (indent + 2, rest)
            value, i = parse_mapping(lines, i, indent + 2)
        else:
            value, i = scalar(rest), i + 1
        items.append(value)
    return items, i


def parse_mapping(lines, i, indent):
    mapping = {}
    while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("-"):
        key, _, rest = lines[i][1].partition(":")
        i += 1
        if rest.strip():
            mapping[key.strip()] = scalar(rest)
        elif i < len(lines) and lines[i][0] > indent:
            mapping[key.strip()], i = parse_block(lines, i, lines[i][0])
        elif i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
            mapping[key.strip()], i = parse_sequence(lines, i, indent)
        else:
            mapping[key.strip()] = None
    return mapping, i


def c_name(*parts):
    return "_".join(p.upper().replace("-", "_") for p in parts)


def names_from_spec(spec):
    """{kind: {C name: value}} in the same kinds as `tests/unit uapi`."""
    kinds = {k: {} for k in ("string", "const", "cmd", "max", "attr", "stat", "enum")}
    kinds["string"]["BLKMIRROR_GENL_NAME"] = spec["name"]
    for group in spec["mcast-groups"]["list"]:
        kinds["string"]["BLKMIRROR_MCGRP_" + c_name(group["name"])] = group["name"]
    kinds["const"]["BLKMIRROR_GENL_VERSION"] = spec.get("version", 1)
    for d in spec["definitions"]:
        if d["type"] == "const":
            kinds["const"][c_name("blkmirror", d["name"])] = d["value"]
        elif d["type"] == "enum":
            for n, entry in enumerate(d["entries"], d.get("value-start", 0)):
                kinds["enum"][c_name("blkmirror", d["name"], entry)] = n
    set_kind = {"mirror": ("attr", "BLKMIRROR_A_MAX"), "stat": ("stat", "BLKMIRROR_STAT_MAX")}
    for aset in spec["attribute-sets"]:
        kind, max_name = set_kind[aset["name"]]
        for a in aset["attributes"]:
            kinds[kind][c_name(aset["name-prefix"] + a["name"])] = a["value"]
        kinds["max"][max_name] = max(a["value"] for a in aset["attributes"])
    for op in spec["operations"]["list"]:
        prefix = "BLKMIRROR_EVENT_" if "event" in op else "BLKMIRROR_CMD_"
        kinds["cmd"][prefix + c_name(op["name"])] = op["value"]
    kinds["max"]["BLKMIRROR_CMD_MAX"] = max(op["value"] for op in spec["operations"]["list"])
    return kinds


def names_from_header(stream):
    kinds = {}
    for line in stream:
        kind, name, value = line.split(None, 2)
        value = value.strip()
        kinds.setdefault(kind, {})[name] = value if kind == "string" else int(value)
    return kinds


def check_references(spec):
    """Every enum and nested set named in the spec exists."""
    enums = {d["name"] for d in spec["definitions"] if d["type"] == "enum"}
    sets = {s["name"]: {a["name"] for a in s["attributes"]} for s in spec["attribute-sets"]}
    bad = []
    for s in spec["attribute-sets"]:
        for a in s["attributes"]:
            if "enum" in a and a["enum"] not in enums:
                bad.append(a["name"] + ": enum " + a["enum"])
            if "nested-attributes" in a and a["nested-attributes"] not in sets:
                bad.append(a["name"] + ": set " + a["nested-attributes"])
    for op in spec["operations"]["list"]:
        for mode in ("do", "dump", "event"):
            for part in (op.get(mode) or {}).values():
                names = part.get("attributes", []) if isinstance(part, dict) else part
                bad += [op["name"] + ": " + n for n in names if n not in sets[op["attribute-set"]]]
    return bad


def main():
    spec_path = sys.argv[1]
    lines = logical_lines(spec_path)
    spec, _ = parse_mapping(lines, 0, 0)
    from_spec = names_from_spec(spec)
    from_header = names_from_header(sys.stdin)
    for kind in sorted(set(from_spec) | set(from_header)):
        want, got = from_header.get(kind, {}), from_spec.get(kind, {})
        diff = sorted(set(want.items()) ^ set(got.items()), key=str)
        print("%s - yaml and header agree on %s names and values (%d)%s" %
              ("ok" if not diff else "not ok", kind, len(want),
               "" if not diff else ": differ in " + ", ".join("%s=%s" % d for d in diff)))
    bad = check_references(spec)
    print("%s - yaml references resolve%s" %
          ("ok" if not bad else "not ok", "" if not bad else ": " + ", ".join(bad)))


if __name__ == "__main__":
    main()
