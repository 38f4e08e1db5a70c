/*
 * SPDX-License-Identifier: LicenseRef-PRIMEX
 * Derived by the vprime project from FIU's jprime.TAPEmulation wrapper of
 * the same shape (PRIMEX, github.com/netsym/primogeni), and distributed
 * under FIU's notice:
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

package jprime.VPrimeEmulation;

public interface IVPrimeEmulation extends jprime.gen.IVPrimeEmulation {
//Insert your user-specific code here (if any)
}
