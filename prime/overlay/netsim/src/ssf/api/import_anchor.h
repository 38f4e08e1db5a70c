/* SPDX-License-Identifier: MIT */
/**
 * \file import_anchor.h
 * \brief When an imported event enters the simulation (vprime).
 *
 * A real-time device hands the kernel a batch of events, each stamped
 * with its own time on the wall clock's mapping (for vprime: dom0's
 * timestamp of the guest frame plus the interface's import_delay).  The
 * kernel takes them in later, when the simulator looks for input.
 *
 * Upstream moves an event whose time has passed to the wall clock's now
 * (putVirtualEvent(); putRealEvent() stamps every event so).  When the
 * simulator lags the wall clock by L (it still has events due before now
 * to process), an event put at the wall clock's now waits behind L of
 * backlog, and so does every reply the model makes to it: the lag adds to
 * every round trip and the device's buffers and the guests' rings fill.
 * So a batch event keeps its offset from the wall clock but on the
 * simulator's present instead: it enters at its time minus the lag, and
 * no earlier than the present (an event cannot enter a timeline's past).
 *
 * present = min(wall clock now, max(timeline's clock, its next event)):
 * the earliest time the simulator has not processed yet, or the wall
 * clock's now when it has nothing due (an idle timeline's clock may be
 * far behind: it is not a lag).
 *
 * Pure and header-only, so that a host test runs it as the kernel does.
 */

#ifndef __PRIME_SSF_IMPORT_ANCHOR_H__
#define __PRIME_SSF_IMPORT_ANCHOR_H__

namespace prime {
namespace ssf {

/**
 * \brief The time a batch event enters the simulation.
 * \param when the event's own time on the wall clock's mapping.
 * \param realnow the wall clock's now, mapped to simulation time.
 * \param simclock the clock of the timeline the event goes to.
 * \param next_due the timeline's next event (or its horizon if none).
 * \param lag_min the smallest lag that counts (*lagged).
 * \param late set to 1 if the event enters later than its own time
 * (shifted by the lag): the simulator had passed it; else 0.
 * \param lagged set to 1 if the simulator lagged by lag_min or more.
 * \param lag set to the simulator's lag behind the wall clock (>= 0).
 */
template <typename T>
T ssf_import_anchor(T when, T realnow, T simclock, T next_due, T lag_min,
		    int* late, int* lagged, T* lag)
{
	T present = simclock > next_due ? simclock : next_due;
	if (present > realnow)
		present = realnow;
	*lag = realnow - present;
	*lagged = *lag >= lag_min && *lag > 0;
	T at = when - *lag;
	*late = at < present;
	return *late ? present : at;
}

} // namespace ssf
} // namespace prime

#endif /*__PRIME_SSF_IMPORT_ANCHOR_H__*/
