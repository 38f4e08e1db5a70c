#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""model-ifaces.py - the interfaces of a model jPRIME compiled, from the
XML it writes beside the TLV: one line per interface,

    <unique name> <IPv4 address> [<vprime device>]

the device when the interface is a VPrimeEmulation's (the guest behind
it takes the address).  Reads only; exits 1 on a file it cannot parse."""
import sys
import xml.etree.ElementTree as ET


def attrs(node):
    return {a.get("name"): (a.text or "").strip() for a in node.findall("attr")}


def uname(node):
    u = node.find("unqiueName")   # sic: jPRIME's spelling
    return u.get("value") if u is not None else "?"


def walk(node, out):
    if node.get("type") == "Interface":
        dev = ""
        for kid in node.findall("node"):
            if kid.get("type") == "VPrimeEmulation":
                dev = attrs(kid).get("device", "")
        out.append((uname(node), attrs(node).get("ip_address", "?"), dev))
    for kid in node.findall("node"):
        walk(kid, out)


def main():
    if len(sys.argv) != 2:
        print("usage: model-ifaces.py COMPILED.xml", file=sys.stderr)
        return 1
    try:
        root = ET.parse(sys.argv[1]).getroot()
    except (OSError, ET.ParseError) as e:
        print("model-ifaces: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    out = []
    for top in root.findall("node"):
        walk(top, out)
    for uname, ip, dev in out:
        print(("%s %s %s" % (uname, ip, dev)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
