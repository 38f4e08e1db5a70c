// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-link-error-model.cc - see vprime-link-error-model.h.  The draws
 * are in vprimed's order (random loss first, then one chain step, then
 * the state's loss), so the loss process is the same; the numbers drawn
 * come from ns-3's generator, not vprimed's, so runs agree in law, not
 * frame by frame.
 */
#include "vprime-link-error-model.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/log.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("VprimeLinkErrorModel");
NS_OBJECT_ENSURE_REGISTERED(VprimeLinkErrorModel);

TypeId
VprimeLinkErrorModel::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::VprimeLinkErrorModel")
            .SetParent<ErrorModel>()
            .SetGroupName("Vprime")
            .AddConstructor<VprimeLinkErrorModel>()
            .AddAttribute("Loss",
                          "Probability that a frame is lost at random, before the chain",
                          DoubleValue(0.0),
                          MakeDoubleAccessor(&VprimeLinkErrorModel::m_loss),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("GilbertElliott",
                          "Use the Gilbert-Elliott chain (P, R, LossGood, LossBad)",
                          BooleanValue(false),
                          MakeBooleanAccessor(&VprimeLinkErrorModel::m_geOn),
                          MakeBooleanChecker())
            .AddAttribute("P",
                          "Per-frame probability of going from the good to the bad state",
                          DoubleValue(0.0),
                          MakeDoubleAccessor(&VprimeLinkErrorModel::m_p),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("R",
                          "Per-frame probability of going from the bad to the good state",
                          DoubleValue(1.0),
                          MakeDoubleAccessor(&VprimeLinkErrorModel::m_r),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("LossGood",
                          "Loss probability in the good state",
                          DoubleValue(0.0),
                          MakeDoubleAccessor(&VprimeLinkErrorModel::m_lossGood),
                          MakeDoubleChecker<double>(0.0, 1.0))
            .AddAttribute("LossBad",
                          "Loss probability in the bad state",
                          DoubleValue(1.0),
                          MakeDoubleAccessor(&VprimeLinkErrorModel::m_lossBad),
                          MakeDoubleChecker<double>(0.0, 1.0));
    return tid;
}

VprimeLinkErrorModel::VprimeLinkErrorModel()
    : m_loss(0),
      m_geOn(false),
      m_p(0),
      m_r(1),
      m_lossGood(0),
      m_lossBad(1),
      m_uniform(CreateObject<UniformRandomVariable>()),
      m_bad(false),
      m_frames(0),
      m_lostRandom(0),
      m_lostBurst(0)
{
}

int64_t
VprimeLinkErrorModel::AssignStreams(int64_t stream)
{
    m_uniform->SetStream(stream);
    return 1;
}

bool
VprimeLinkErrorModel::DoCorrupt(Ptr<Packet>)
{
    m_frames++;
    if (m_loss > 0 && m_uniform->GetValue() < m_loss)
    {
        m_lostRandom++;
        return true;
    }
    if (!m_geOn)
        return false;
    // Step the chain once per frame, then draw in the new state.
    if (m_uniform->GetValue() < (m_bad ? m_r : m_p))
        m_bad = !m_bad;
    if (m_uniform->GetValue() < (m_bad ? m_lossBad : m_lossGood))
    {
        m_lostBurst++;
        return true;
    }
    return false;
}

void
VprimeLinkErrorModel::DoReset()
{
    m_bad = false;
}

uint64_t
VprimeLinkErrorModel::GetFrames() const
{
    return m_frames;
}

uint64_t
VprimeLinkErrorModel::GetLostRandom() const
{
    return m_lostRandom;
}

uint64_t
VprimeLinkErrorModel::GetLostBurst() const
{
    return m_lostBurst;
}

bool
VprimeLinkErrorModel::IsBad() const
{
    return m_bad;
}

} // namespace ns3
