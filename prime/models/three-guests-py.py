# SPDX-License-Identifier: MIT
#
# three-guests-py - prime/models/three-guests.xml as a jPRIME Python model:
# three Xen guests (vprime devices vm1-eth0 .. vm3-eth0) behind 5, 10 and
# 15 ms links and a router, and a simulated host 2 ms away.  jPRIME runs it
# in Jython with `exp` bound to the experiment.  Compile with
#   java -jar jprime.jar create three-guests-py three-guests-py.py
# (make prime-models does, with prime/compile-model.sh).


def link(top, a, b, delay):
    """A link of @delay seconds at 100 Mb/s between interfaces a and b."""
    l = top.createLink()
    l.attachInterface(a)
    l.attachInterface(b)
    l.setBandwidth("100000000")
    l.setDelay(delay)


top = exp.createTopNet("topnet")
top.createShortestPath()
r = top.createRouter("r")
for i, delay in enumerate(["0.005", "0.010", "0.015"], 1):
    g = top.createHost("g%d" % i)
    nic = g.createInterface("if0")
    emu = nic.createVPrimeEmulation("vprime")
    emu.setDevice("vm%d-eth0" % i)
    link(top, nic, r.createInterface("if%d" % i), delay)
h = top.createHost("h")
link(top, h.createInterface("if0"), r.createInterface("if4"), "0.002")
