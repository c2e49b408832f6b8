#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check uapi/blkmirror.yaml against uapi/blkmirror.h.

Reads the header's names and values as printed by `tests/unit uapi` (a C
program that includes the header, so the compiler is the judge) on stdin,
derives the same names from the YAML spec, read with python3-yaml, and
prints one TAP line ("ok - ..." / "not ok - ...") per kind of name.
Whether the spec is valid YNL is tests/ynl/spec.py's question, against the
kernel's own schema.
"""
import sys

try:
    import yaml
except ImportError:
    yaml = None


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
    if yaml is None:
        print("not ok - yaml and header agree: python3-yaml is not installed "
              "(apt-get install python3-yaml)")
        return
    with open(sys.argv[1]) as f:
        spec = yaml.safe_load(f)
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
