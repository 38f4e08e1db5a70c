// SPDX-License-Identifier: MIT
/*
 * ThreeGuests - prime/models/three-guests.xml as a jPRIME Java model:
 * three Xen guests (vprime devices vm1-eth0 .. vm3-eth0) behind 5, 10 and
 * 15 ms links and a router, and a simulated host 2 ms away.  Compile with
 *   java -jar jprime.jar create three-guests-java ThreeGuests.java
 * (make prime-models does, with prime/compile-model.sh).
 */
import java.util.ArrayList;
import java.util.Map;

import jprime.Experiment;
import jprime.Host.IHost;
import jprime.Interface.IInterface;
import jprime.Link.ILink;
import jprime.Net.INet;
import jprime.Net.Net;
import jprime.Router.IRouter;
import jprime.VPrimeEmulation.IVPrimeEmulation;
import jprime.database.Database;
import jprime.util.ModelInterface;

public class ThreeGuests extends ModelInterface {
	private static ArrayList<ModelParam> getParams() {
		return new ArrayList<ModelInterface.ModelParam>();
	}

	public ThreeGuests(Database db, Experiment exp) {
		super(db, exp, getParams());
	}

	public ThreeGuests(Database db, String expName) {
		super(db, expName, getParams());
	}

	/* a link of @delay seconds at 100 Mb/s between @a and @b */
	private static void link(Net top, IInterface a, IInterface b, String delay) {
		ILink l = top.createLink();
		l.attachInterface(a);
		l.attachInterface(b);
		l.setBandwidth("100000000");
		l.setDelay(delay);
	}

	public INet buildModel(Map<String, ModelParamValue> parameters) {
		Net top = exp.createTopNet("topnet");
		top.createShortestPath();
		IRouter r = top.createRouter("r");
		String[] delays = { "0.005", "0.010", "0.015" };
		for (int i = 1; i <= 3; i++) {
			IHost g = top.createHost("g" + i);
			IInterface nic = g.createInterface("if0");
			IVPrimeEmulation emu = nic.createVPrimeEmulation("vprime");
			emu.setDevice("vm" + i + "-eth0");
			link(top, nic, r.createInterface("if" + i), delays[i - 1]);
		}
		IHost h = top.createHost("h");
		link(top, h.createInterface("if0"), r.createInterface("if4"), "0.002");
		return top;
	}
}
