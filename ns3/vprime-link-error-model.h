// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-error-model.h - ns3::VprimeLinkErrorModel: the loss of one
 * direction of a vprimed link (engine/link.c), as an ns-3 ErrorModel, so
 * that a topology file runs with the same loss on either engine.  A frame
 * is, in order: lost at random with probability Loss; else the
 * Gilbert-Elliott chain takes one step (good to bad with probability P,
 * bad to good with R) and the frame is lost with LossGood or LossBad of
 * the state it is now in.  ns-3 has no Gilbert-Elliott model of its own
 * (BurstErrorModel draws burst lengths, not a two-state chain).
 *
 * Each cause is counted, under vprimed's names (loss_random, loss_burst).
 *
 * vprimed judges a frame before its link's queue: give the model to the
 * sending end's VprimeLinkQueue (its ErrorModel attribute), as
 * VprimeTopology does, so that a lost frame takes no place in the queue
 * and no time on the transmitter.  As a device's receive error model it
 * would drop the frame only after it crossed the link.
 */
#ifndef VPRIME_LINK_ERROR_MODEL_H
#define VPRIME_LINK_ERROR_MODEL_H

#include "ns3/error-model.h"
#include "ns3/random-variable-stream.h"

namespace ns3
{

class VprimeLinkErrorModel : public ErrorModel
{
  public:
    static TypeId GetTypeId();
    VprimeLinkErrorModel();

    /* Fix the random streams (ns-3's AssignStreams convention): the number
     * of streams used, 1. */
    int64_t AssignStreams(int64_t stream);
    /* Frames judged, lost at random, lost in the chain; and its state. */
    uint64_t GetFrames() const;
    uint64_t GetLostRandom() const;
    uint64_t GetLostBurst() const;
    bool IsBad() const;

  private:
    bool DoCorrupt(Ptr<Packet> p) override;
    void DoReset() override;

    double m_loss;     // independent loss probability
    bool m_geOn;       // the Gilbert-Elliott chain is used
    double m_p;        // good -> bad, per frame
    double m_r;        // bad -> good, per frame
    double m_lossGood; // loss probability in the good state
    double m_lossBad;  // loss probability in the bad state
    Ptr<UniformRandomVariable> m_uniform;
    bool m_bad;
    uint64_t m_frames;
    uint64_t m_lostRandom;
    uint64_t m_lostBurst;
};

} // namespace ns3

#endif /* VPRIME_LINK_ERROR_MODEL_H */
