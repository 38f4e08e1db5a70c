/**
 * SPDX-License-Identifier: LicenseRef-PRIMEX
 * \file vprime_emu_proto.h
 * \brief Header file for the VPrimeEmulation class.
 *
 * The model side of the vprime emulation device: an interface that holds
 * a VPrimeEmulation is the simulated end of a Xen guest's vprime device.
 * Derived by the vprime project from tap_emu_proto.m (TAPEmulation) and
 * distributed under FIU's notice:
 *
 * Copyright (c) 2011 Florida International University.
 *
 * Permission is hereby granted, free of charge, to any individual or
 * institution obtaining a copy of this software and associated
 * documentation files (the "software"), to use, copy, modify, and
 * distribute without restriction.
 *
 * The software is provided "as is", without warranty of any kind,
 * express or implied, including but not limited to the warranties of
 * merchantability, fitness for a particular purpose and
 * non-infringement.  In no event shall Florida International
 * University be liable for any claim, damages or other liability,
 * whether in an action of contract, tort or otherwise, arising from,
 * out of or in connection with the software or the use or other
 * dealings in the software.
 */

#ifndef __VPRIME_EMU_PROTO__H__
#define __VPRIME_EMU_PROTO__H__


#include "proto/emu/emulation_protocol.h"
#ifdef SSFNET_EMULATION
#include "os/emu/emulation_device.h"
#endif

namespace prime {
namespace ssfnet {

/**
 * An emulated interface whose real end is a vprime guest device.
 */
class VPrimeEmulation: public ConfigurableEntity<VPrimeEmulation,EmulationProtocol> {
public:

	state_configuration {
		shared configurable SSFNET_STRING device {
			type=STRING;
			default_value=" ";
			doc_string="The guest's vprime device: its name (name= on the xl vprime line, e.g. vm1-eth0) or its MAC (aa:bb:cc:dd:ee:ff).";
		};
		shared configurable float import_delay {
			type=FLOAT;
			default_value="0.0005";
			doc_string="Seconds from the moment dom0 takes a frame off the guest's ring to the frame's entry into this interface; a frame the simulator receives later than that enters when it arrives and is counted late.";
		};
		shared configurable bool polling {
			type=BOOL;
			default_value="true";
			doc_string="Whether the simulator thread polls the guest devices itself (the polling device, no threads of its own: the default) or the blocking device's reader and writer threads move the frames (false).";
		};
	};

	/** The constructor. */
	VPrimeEmulation() { }

	/** The destructor. */
	virtual ~VPrimeEmulation() { }

	/** The guest device as the model names it. */
	SSFNET_STRING getDevice() { return shared.device.read(); }

	/** The configured import delay, in seconds. */
	float getImportDelay() { return shared.import_delay.read(); }

	/** Whether the interface takes the polling device (the default). */
	bool getPolling() { return shared.polling.read(); }

	virtual int getEmulationDeviceType() {
#ifdef SSFNET_EMULATION
		return getPolling() ? EMU_VPRIME_POLL_DEVICE : EMU_VPRIME_DEVICE;
#else
		return 0;
#endif
	}
};

} // namespace ssfnet
} // namespace prime

#endif /*__VPRIME_EMU_PROTO__H__*/
