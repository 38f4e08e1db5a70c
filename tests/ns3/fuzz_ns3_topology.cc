// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ns3_topology - arbitrary bytes as a vprimed topology file into
 * vprime-ns3's reader (VprimeTopology): a file is a trust boundary as a
 * guest's frames are.  Every input must be refused with a message or
 * checked; a checked one of up to 64 links is then built into ns-3 objects
 * (nodes, bridges, routers with their addresses and routes, links with
 * jitter, both queue limits and Gilbert-Elliott loss) and run for 100 ms of
 * simulated time, and must reach no ns-3 fatal error (NS_FATAL_ERROR /
 * NS_ASSERT abort), sanitizer report, leak or hang.  Larger files are only
 * checked: building 4096 links per input would leave no time to explore.
 */
#include "vprime-topology.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace ns3;

namespace
{

const uint32_t kBuildLinksMax = 64;

// The input as a file: the reader takes a path, as vprime-ns3 does.
std::string
AsFile(const uint8_t* data, size_t size, int* fd)
{
    *fd = memfd_create("topology", 0);
    if (*fd < 0 || write(*fd, data, size) != ssize_t(size))
        return "";
    return "/proc/self/fd/" + std::to_string(*fd);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    int fd = -1;
    std::string path = AsFile(data, size, &fd);
    VprimeTopologySummary sum;
    std::string err;

    if (path.empty())
    {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    bool ok = VprimeTopology::Check(path, &sum, &err);
    if (!ok && err.empty())
    {
        std::fprintf(stderr, "refused without a message\n");
        __builtin_trap();
    }
    if (ok && sum.links <= kBuildLinksMax)
    {
        VprimeHelper vp;
        if (!VprimeTopology::Build(path, vp, 1500, &sum, &err))
        {
            std::fprintf(stderr, "checked but not built: %s\n", err.c_str());
            __builtin_trap();
        }
        Simulator::Stop(MilliSeconds(100));
        Simulator::Run();
        sum = VprimeTopologySummary();
        Simulator::Destroy();
    }
    close(fd);
    return 0;
}
