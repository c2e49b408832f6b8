#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""host/ynl-spec: uapi/blkmirror.yaml is a valid YNL spec.

tests/ynl/spec.py SRC SPEC, where SRC is a kernel tree (tests/ynl/fetch.sh)
with Documentation/netlink/ and tools/net/ynl/.  With python3-yaml and
python3-jsonschema, no hand parsing:
  - SPEC validates against the kernel's schema for its protocol
    (Documentation/netlink/<protocol>.yaml), as the kernel's own specs do;
  - a copy of SPEC with one operation's doc removed does not (the check
    can fail);
  - the kernel's ynl library (tools/net/ynl/lib, what the ynl CLI runs on)
    loads SPEC, schema and all, and its model of the family has every
    operation, event and multicast group of SPEC with its number.
Prints TAP lines ("ok - ..." / "not ok - ...").
"""
import copy
import glob
import os
import sys

results = []


def check(ok, what):
    results.append(ok)
    print("%s - %s" % ("ok" if ok else "not ok", what))


def main():
    src, spec_path = sys.argv[1], sys.argv[2]
    try:
        import yaml
        import jsonschema
    except ImportError as e:
        check(False, "python3-yaml and python3-jsonschema are installed (%s)" % e)
        return 1
    schemas = sorted(os.path.basename(p) for p in
                     glob.glob(os.path.join(src, "Documentation/netlink/genetlink*.yaml")))
    check(len(schemas) > 0, "%s has the kernel's YNL schemas: %s" %
          (os.path.basename(src), " ".join(schemas) or "none"))
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    proto = spec.get("protocol", "genetlink")
    schema_path = os.path.join(src, "Documentation/netlink", proto + ".yaml")
    if not os.path.exists(schema_path):
        check(False, "a schema for protocol %s exists" % proto)
        return 1
    with open(schema_path) as f:
        schema = yaml.safe_load(f)
    # "https://json-schema.org/draft-07/schema", without the "#" that
    # jsonschema looks the draft up by.
    if "draft-07" in schema.get("$schema", ""):
        cls = jsonschema.Draft7Validator
    else:
        cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(spec), key=lambda e: list(e.path))
    check(not errors, "%s validates against %s (jsonschema %s)%s" %
          (os.path.basename(spec_path), os.path.relpath(schema_path, src), cls.__name__,
           "".join("; at %s: %s" % ("/".join(map(str, e.path)), e.message[:200])
                   for e in errors[:5])))

    broken = copy.deepcopy(spec)
    del broken["operations"]["list"][0]["doc"]
    check(any(True for _ in cls(schema).iter_errors(broken)),
          "the same spec without the doc of operation '%s' is refused" %
          spec["operations"]["list"][0]["name"])

    # 6.12 has tools/net/ynl/lib; later trees moved it to pyynl/lib.
    ynl = os.path.join(src, "tools/net/ynl")
    if os.path.exists(os.path.join(ynl, "pyynl/lib")):
        ynl = os.path.join(ynl, "pyynl")
    sys.path.insert(0, ynl)
    try:
        from lib import nlspec
        family = nlspec.SpecFamily(spec_path, schema_path)
    except Exception as e:  # whatever the library raises is the finding
        check(False, "the kernel's ynl library loads the spec: %s: %s" %
              (type(e).__name__, (str(e).splitlines() or [""])[0]))
        return 1
    check(True, "the kernel's ynl library loads the spec (and validates it)")
    ops = {o["name"]: o["value"] for o in spec["operations"]["list"] if "event" not in o}
    events = {o["name"]: o["value"] for o in spec["operations"]["list"] if "event" in o}
    got_ops = {n: o.req_value for n, o in family.ops.items()}
    got_events = {n: m.rsp_value for n, m in family.msgs.items() if n in events}
    check(got_ops == ops, "ynl's model has the %d operations with their numbers (got %s)" %
          (len(ops), sorted(got_ops.items(), key=lambda i: i[1])))
    check(got_events == events, "ynl's model has the %d events with their numbers (got %s)" %
          (len(events), sorted(got_events.items(), key=lambda i: i[1])))
    groups = [g["name"] for g in spec["mcast-groups"]["list"]]
    check(list(family.mcast_groups) == groups, "ynl's model has the multicast groups %s" % groups)
    attrs = family.attr_sets["mirror"]
    check(attrs["name"].type == "string" and attrs["primary-stats"].type == "nest" and
          len(attrs.attrs) == len(spec["attribute-sets"][0]["attributes"]),
          "ynl's model has the mirror attributes (%d)" % len(attrs.attrs))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
