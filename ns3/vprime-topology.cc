// SPDX-License-Identifier: GPL-2.0-only
/*
 * vprime-topology.cc - see vprime-topology.h.  Parsed into plain
 * descriptions first (every check done), then built: a bad file creates
 * no ns-3 object.
 */
#include "vprime-topology.h"

#include "vprime-link-channel.h"
#include "vprime-link-error-model.h"
#include "vprime-link-queue.h"

#include "ns3/boolean.h"
#include "ns3/bridge-helper.h"
#include "ns3/simple-net-device.h"
#include "ns3/data-rate.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv4.h"
#include "ns3/pointer.h"
#include "ns3/queue-size.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/uinteger.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <jansson.h>
#include <map>
#include <set>
#include <sstream>

#include "vprime.h"

namespace ns3
{

namespace
{

struct LinkDesc
{
    std::string name, a, b;
    uint64_t bps{0}; // 0: unlimited
    Time delay;
    Time jitter;
    double loss{0};
    bool ge{false}; // the Gilbert-Elliott chain, as vprimed's
    double geP{0}, geR{0}, geLossGood{0}, geLossBad{1};
    uint32_t qPackets{1000}; // vprimed's default
    uint32_t qBytes{0};      // 0: no byte limit
};

struct IfDesc
{
    std::string link;
    Ipv4Address ip;
    Ipv4Mask mask;
    bool hasMac{false};
    Mac48Address mac;
};

struct RouteDesc
{
    Ipv4Address net;
    Ipv4Mask mask;
    Ipv4Address via;
};

struct NodeDesc
{
    std::string name, type;
    VprimeGuestSpec spec;
    std::vector<IfDesc> ifs;
    std::vector<RouteDesc> routes;
    std::vector<uint32_t> links; // indexes into Topo::links
};

struct Topo
{
    std::vector<NodeDesc> nodes;
    std::vector<LinkDesc> links;
    uint32_t seed{1};
    Time late{MicroSeconds(100)};
};

// Refuse keys a section does not know.
bool
OnlyKeys(json_t* o, const std::set<std::string>& ok, const std::string& where, std::string* err)
{
    const char* k;
    json_t* v;

    json_object_foreach(o, k, v)
    {
        if (!ok.count(k))
        {
            *err = where + ": unknown key '" + k + "'";
            return false;
        }
    }
    return true;
}

bool
GetString(json_t* o, const char* key, std::string* out, const std::string& where,
          std::string* err, bool required)
{
    json_t* v = json_object_get(o, key);

    if (!v)
    {
        if (required)
            *err = where + ": missing '" + key + "'";
        return !required;
    }
    if (!json_is_string(v))
    {
        *err = where + ": " + key + ": not a string";
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool
ValidName(const std::string& n)
{
    if (n.empty() || n.size() > 31)
        return false;
    for (char c : n)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
            return false;
    return true;
}

bool
ParseMac(const std::string& s, Mac48Address* m)
{
    unsigned v[6];
    char tail;
    uint8_t b[6];

    if (s.size() != 17 ||
        std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
                    &v[5], &tail) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        b[i] = static_cast<uint8_t>(v[i]);
    m->CopyFrom(b);
    return true;
}

bool
ParseIp(const std::string& s, Ipv4Address* a)
{
    unsigned v[4];
    char tail;

    if (std::sscanf(s.c_str(), "%3u.%3u.%3u.%3u%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
        return false;
    for (unsigned x : v)
        if (x > 255)
            return false;
    a->Set((v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3]);
    return true;
}

bool
ParsePrefix(const std::string& s, Ipv4Address* a, Ipv4Mask* m)
{
    size_t slash = s.find('/');
    char* end;
    long len;

    if (slash == std::string::npos || !ParseIp(s.substr(0, slash), a))
        return false;
    len = std::strtol(s.c_str() + slash + 1, &end, 10);
    if (*end || end == s.c_str() + slash + 1 || len < 0 || len > 32)
        return false;
    *m = Ipv4Mask(len ? ~0u << (32 - len) : 0u);
    return true;
}

bool
ParseGuest(json_t* o, NodeDesc* n, const std::string& where, std::string* err)
{
    json_t* mac = json_object_get(o, "mac");
    json_t* dev = json_object_get(o, "device");
    json_t* dom = json_object_get(o, "domid");
    json_t* devid = json_object_get(o, "devid");

    if (!OnlyKeys(o, {"name", "type", "mac", "device", "domid", "devid"}, where, err))
        return false;
    if (!!mac + !!dev + !!dom != 1)
    {
        *err = where + ": a guest needs exactly one of mac, device, domid";
        return false;
    }
    if (devid && !dom)
    {
        *err = where + ": devid without domid";
        return false;
    }
    if (mac)
    {
        Mac48Address m;
        if (!json_is_string(mac) || !ParseMac(json_string_value(mac), &m))
        {
            *err = where + ": mac: expected aa:bb:cc:dd:ee:ff";
            return false;
        }
        n->spec = VprimeGuestSpec::Mac(m);
    }
    else if (dev)
    {
        if (!json_is_string(dev) || !*json_string_value(dev) ||
            std::strlen(json_string_value(dev)) >= VPRIME_NAME_LEN)
        {
            *err = where + ": device: a name of 1.." + std::to_string(VPRIME_NAME_LEN - 1) +
                   " characters";
            return false;
        }
        n->spec = VprimeGuestSpec::Name(json_string_value(dev));
    }
    else
    {
        json_int_t d = json_is_integer(dom) ? json_integer_value(dom) : -1;
        json_int_t i = devid ? (json_is_integer(devid) ? json_integer_value(devid) : -1) : 0;
        if (d < 0 || d > 0x7fef || i < 0 || i > 0xffff)
        {
            *err = where + ": domid/devid: out of range";
            return false;
        }
        n->spec = VprimeGuestSpec::Domid(uint32_t(d), uint32_t(i));
    }
    return true;
}

bool
ParseRouter(json_t* o, NodeDesc* n, const std::string& where, std::string* err)
{
    json_t* ifs = json_object_get(o, "interfaces");
    json_t* routes = json_object_get(o, "routes");
    size_t i;
    json_t* v;

    if (!OnlyKeys(o, {"name", "type", "interfaces", "routes"}, where, err))
        return false;
    if (!json_is_array(ifs) || json_array_size(ifs) < 1 || json_array_size(ifs) > 16)
    {
        *err = where + ": interfaces: an array of 1..16";
        return false;
    }
    json_array_foreach(ifs, i, v)
    {
        std::string w = where + ".interfaces[" + std::to_string(i) + "]", s;
        IfDesc d;
        if (!json_is_object(v) || !OnlyKeys(v, {"link", "ip", "mac"}, w, err) ||
            !GetString(v, "link", &d.link, w, err, true) || !GetString(v, "ip", &s, w, err, true))
        {
            if (err->empty())
                *err = w + ": not an object";
            return false;
        }
        if (!ParsePrefix(s, &d.ip, &d.mask))
        {
            *err = w + ": ip: expected a.b.c.d/len";
            return false;
        }
        s.clear();
        if (GetString(v, "mac", &s, w, err, false) && !s.empty())
        {
            if (!ParseMac(s, &d.mac))
            {
                *err = w + ": mac: expected aa:bb:cc:dd:ee:ff";
                return false;
            }
            d.hasMac = true;
        }
        if (!err->empty())
            return false;
        n->ifs.push_back(d);
    }
    if (routes && (!json_is_array(routes) || json_array_size(routes) > 64))
    {
        *err = where + ": routes: an array of up to 64";
        return false;
    }
    json_array_foreach(routes, i, v)
    {
        std::string w = where + ".routes[" + std::to_string(i) + "]", p, via;
        RouteDesc r;
        if (!json_is_object(v) || !OnlyKeys(v, {"prefix", "via"}, w, err) ||
            !GetString(v, "prefix", &p, w, err, true) || !GetString(v, "via", &via, w, err, true))
        {
            if (err->empty())
                *err = w + ": not an object";
            return false;
        }
        if (!ParsePrefix(p, &r.net, &r.mask) || !ParseIp(via, &r.via))
        {
            *err = w + ": expected prefix a.b.c.d/len and via a.b.c.d";
            return false;
        }
        n->routes.push_back(r);
    }
    return true;
}

// A probability in 0..1 at @key of @o, if there.
bool
GetProb(json_t* o, const char* key, double* out, const std::string& where, std::string* err)
{
    json_t* v = json_object_get(o, key);

    if (!v)
        return true;
    if (!json_is_number(v) || !(json_number_value(v) >= 0) || json_number_value(v) > 1)
    {
        *err = where + ": " + key + ": a number in 0..1";
        return false;
    }
    *out = json_number_value(v);
    return true;
}

// vprimed's rules: p and r required, loss_good 0 and loss_bad 1 by default.
bool
ParseGilbertElliott(json_t* v, LinkDesc* l, const std::string& linkWhere, std::string* err)
{
    std::string where = linkWhere + ".gilbert_elliott";

    if (!json_is_object(v))
    {
        *err = where + ": not an object";
        return false;
    }
    if (!OnlyKeys(v, {"p", "r", "loss_good", "loss_bad"}, where, err))
        return false;
    if (!json_object_get(v, "p") || !json_object_get(v, "r"))
    {
        *err = where + ": needs 'p' and 'r'";
        return false;
    }
    l->ge = true;
    return GetProb(v, "p", &l->geP, where, err) && GetProb(v, "r", &l->geR, where, err) &&
           GetProb(v, "loss_good", &l->geLossGood, where, err) &&
           GetProb(v, "loss_bad", &l->geLossBad, where, err);
}

bool
ParseLink(json_t* o, uint32_t idx, LinkDesc* l, std::string* err)
{
    std::string where = "links[" + std::to_string(idx) + "]", s;
    json_t* v;

    if (!json_is_object(o))
    {
        *err = where + ": not an object";
        return false;
    }
    if (!OnlyKeys(o, {"name", "a", "b", "bandwidth", "delay", "jitter", "loss",
                      "gilbert_elliott", "queue"}, where, err))
        return false;
    l->name = "link" + std::to_string(idx);
    if (!GetString(o, "name", &l->name, where, err, false) || !GetString(o, "a", &l->a, where, err, true) ||
        !GetString(o, "b", &l->b, where, err, true))
        return false;
    where += " (" + l->name + ")";
    if (GetString(o, "bandwidth", &s, where, err, false) && !s.empty() &&
        !VprimeTopology::ParseRate(s, &l->bps))
    {
        *err = where + ": bandwidth: bad value '" + s + "' (e.g. 10Mbit, unlimited)";
        return false;
    }
    s.clear();
    if (GetString(o, "delay", &s, where, err, false) && !s.empty() &&
        !VprimeTopology::ParseTime(s, &l->delay))
    {
        *err = where + ": delay: bad value '" + s + "' (e.g. 10ms, 250us, 0ns)";
        return false;
    }
    s.clear();
    if (GetString(o, "jitter", &s, where, err, false) && !s.empty() &&
        !VprimeTopology::ParseTime(s, &l->jitter))
    {
        *err = where + ": jitter: bad value '" + s + "' (e.g. 1ms, 500us)";
        return false;
    }
    if (!err->empty())
        return false;
    if ((v = json_object_get(o, "gilbert_elliott")) && !ParseGilbertElliott(v, l, where, err))
        return false;
    if (!GetProb(o, "loss", &l->loss, where, err))
        return false;
    if ((v = json_object_get(o, "queue")))
    {
        json_t* p = json_object_get(v, "packets");
        json_t* b = json_object_get(v, "bytes");
        if (!json_is_object(v) || !OnlyKeys(v, {"packets", "bytes"}, where + ".queue", err))
        {
            if (err->empty())
                *err = where + ": queue: not an object";
            return false;
        }
        if ((p && (!json_is_integer(p) || json_integer_value(p) < 1 ||
                   json_integer_value(p) > 1000000)) ||
            (b && (!json_is_integer(b) || json_integer_value(b) < 0 ||
                   json_integer_value(b) > 0xffffffffll)))
        {
            *err = where + ": queue: packets 1..1000000, bytes >= 0";
            return false;
        }
        if (p)
            l->qPackets = uint32_t(json_integer_value(p));
        l->qBytes = b ? uint32_t(json_integer_value(b)) : 0;
    }
    return true;
}

bool
Parse(const std::string& path, Topo* t, std::string* err)
{
    json_error_t je;
    json_t* root = json_load_file(path.c_str(), JSON_REJECT_DUPLICATES, &je);
    json_t *nodes, *links, *v;
    std::map<std::string, uint32_t> byName;
    size_t i;
    bool ok = false;

    if (!root)
    {
        *err = path + ":" + std::to_string(je.line) + ":" + std::to_string(je.column) + ": " +
               je.text;
        return false;
    }
    nodes = json_object_get(root, "nodes");
    links = json_object_get(root, "links");
    if (!json_is_object(root))
    {
        *err = "top level: not an object";
        goto out;
    }
    if (!OnlyKeys(root, {"comment", "seed", "late_threshold", "nodes", "links"}, "top level", err))
        goto out;
    if (!json_is_array(nodes) || json_array_size(nodes) < 1 || json_array_size(nodes) > 1024)
    {
        *err = "nodes: an array of 1..1024";
        goto out;
    }
    if (links && (!json_is_array(links) || json_array_size(links) > 4096))
    {
        *err = "links: an array of up to 4096";
        goto out;
    }
    if ((v = json_object_get(root, "seed")))
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 0xffffffffll)
        {
            *err = "seed: an integer 1..2^32-1";
            goto out;
        }
        t->seed = uint32_t(json_integer_value(v));
    }
    if ((v = json_object_get(root, "late_threshold")))
    {
        if (!json_is_string(v) || !VprimeTopology::ParseTime(json_string_value(v), &t->late))
        {
            *err = "late_threshold: a duration (e.g. 100us)";
            goto out;
        }
    }
    json_array_foreach(nodes, i, v)
    {
        std::string where = "nodes[" + std::to_string(i) + "]";
        NodeDesc n;
        if (!json_is_object(v))
        {
            *err = where + ": not an object";
            goto out;
        }
        if (!GetString(v, "name", &n.name, where, err, true) ||
            !GetString(v, "type", &n.type, where, err, true))
            goto out;
        if (!ValidName(n.name))
        {
            *err = where + ": name: 1..31 of [A-Za-z0-9_.-]";
            goto out;
        }
        where += " (" + n.name + ")";
        if (byName.count(n.name))
        {
            *err = where + ": duplicate name";
            goto out;
        }
        if (n.type == "guest")
        {
            if (!ParseGuest(v, &n, where, err))
                goto out;
        }
        else if (n.type == "switch")
        {
            if (!OnlyKeys(v, {"name", "type"}, where, err))
                goto out;
        }
        else if (n.type == "router")
        {
            if (!ParseRouter(v, &n, where, err))
                goto out;
        }
        else
        {
            *err = where + ": type: guest, switch or router";
            goto out;
        }
        byName[n.name] = uint32_t(t->nodes.size());
        t->nodes.push_back(n);
    }
    json_array_foreach(links, i, v)
    {
        LinkDesc l;
        if (!ParseLink(v, uint32_t(i), &l, err))
            goto out;
        for (const auto& l2 : t->links)
            if (l2.name == l.name)
            {
                *err = "links[" + std::to_string(i) + "]: duplicate name '" + l.name + "'";
                goto out;
            }
        if (!byName.count(l.a) || !byName.count(l.b) || l.a == l.b)
        {
            *err = "links[" + std::to_string(i) + "] (" + l.name +
                   "): a and b must name two different nodes";
            goto out;
        }
        t->nodes[byName[l.a]].links.push_back(uint32_t(t->links.size()));
        t->nodes[byName[l.b]].links.push_back(uint32_t(t->links.size()));
        t->links.push_back(l);
    }
    for (auto& n : t->nodes)
    {
        if (n.type == "guest" && n.links.size() != 1)
        {
            *err = "node " + n.name + ": a guest has exactly one link";
            goto out;
        }
        if (n.type == "router")
        {
            std::set<std::string> mine;
            for (uint32_t li : n.links)
                mine.insert(t->links[li].name);
            if (n.ifs.size() != mine.size())
            {
                *err = "node " + n.name + ": one interface per link of the router";
                goto out;
            }
            for (const auto& f : n.ifs)
                if (!mine.erase(f.link))
                {
                    *err = "node " + n.name + ": interface on '" + f.link +
                           "', not a link of this router (or twice)";
                    goto out;
                }
            for (const auto& r : n.routes)
            {
                bool onSubnet = false;
                for (const auto& f : n.ifs)
                    onSubnet |= f.mask.IsMatch(f.ip, r.via);
                if (!onSubnet)
                {
                    *err = "node " + n.name + ": route via a gateway on none of its subnets";
                    goto out;
                }
            }
        }
    }
    // Two guests naming the same device would fight over one port.
    for (size_t a = 0; a < t->nodes.size(); a++)
        for (size_t b = a + 1; b < t->nodes.size(); b++)
            if (t->nodes[a].type == "guest" && t->nodes[b].type == "guest" &&
                t->nodes[a].spec.ToString() == t->nodes[b].spec.ToString())
            {
                *err = "nodes " + t->nodes[a].name + " and " + t->nodes[b].name +
                       " name the same device";
                goto out;
            }
    ok = true;
out:
    json_decref(root);
    return ok;
}

void
Summarise(const Topo& t, VprimeTopologySummary* sum)
{
    *sum = VprimeTopologySummary();
    for (const auto& n : t.nodes)
    {
        sum->guests += n.type == "guest";
        sum->switches += n.type == "switch";
        sum->routers += n.type == "router";
    }
    sum->links = uint32_t(t.links.size());
    sum->lateThreshold = t.late;
}

using LinkEnds = std::pair<Ptr<SimpleNetDevice>, Ptr<SimpleNetDevice>>;

/*
 * Link @li of @t between its two nodes: a VprimeLinkChannel between two
 * SimpleNetDevices, as vprimed's links: full duplex, each end serialising
 * at the link's rate from its own queue (both of vprimed's limits), then
 * the delay and jitter, frames in flight one behind the other; the loss
 * judged by each sending end's queue before its limits, as vprimed judges
 * it (a lost frame takes no place in the queue nor time on the
 * transmitter).  Not a CsmaChannel: ns-3's CSMA bus stays
 * busy until a frame has propagated, one frame per (transmission + delay)
 * in total, which on demo.json's link1 (1 Mbit/s, 40 ms) carried
 * 0.22 Mbit/s.  Each direction's parts go into @sum for their counters.
 */
LinkEnds
BuildLink(const Topo& t,
          uint32_t li,
          const std::map<std::string, uint32_t>& byName,
          const std::vector<Ptr<Node>>& node,
          uint16_t mtu,
          VprimeTopologySummary* sum)
{
    const LinkDesc& l = t.links[li];
    const int64_t stream = 1000 + 3 * int64_t(li); // fixed, whatever else draws
    Ptr<VprimeLinkChannel> ch = CreateObject<VprimeLinkChannel>();
    ch->SetAttribute("Delay", TimeValue(l.delay));
    ch->SetAttribute("Jitter", TimeValue(l.jitter));
    ch->AssignStreams(stream);
    Ptr<SimpleNetDevice> d[2];
    Ptr<VprimeLinkQueue> q[2];
    Ptr<VprimeLinkErrorModel> em[2];
    const std::string* endName[2] = {&l.a, &l.b};
    for (int e = 0; e < 2; e++)
    {
        const NodeDesc& nd = t.nodes[byName.at(*endName[e])];
        d[e] = CreateObject<SimpleNetDevice>();
        d[e]->SetAttribute("DataRate", DataRateValue(DataRate(l.bps))); // 0: unlimited
        d[e]->SetAddress(Mac48Address::Allocate());
        for (const auto& f : nd.ifs)
            if (f.link == l.name && f.hasMac)
                d[e]->SetAddress(f.mac);
        d[e]->SetMtu(mtu);
        q[e] = CreateObject<VprimeLinkQueue>();
        q[e]->SetMaxSize(QueueSize(QueueSizeUnit::PACKETS, l.qPackets));
        q[e]->SetAttribute("MaxBytes", UintegerValue(l.qBytes));
        d[e]->SetQueue(q[e]);
        if (l.loss > 0 || l.ge)
        {
            em[e] = CreateObject<VprimeLinkErrorModel>();
            em[e]->SetAttribute("Loss", DoubleValue(l.loss));
            em[e]->SetAttribute("GilbertElliott", BooleanValue(l.ge));
            em[e]->SetAttribute("P", DoubleValue(l.geP));
            em[e]->SetAttribute("R", DoubleValue(l.geR));
            em[e]->SetAttribute("LossGood", DoubleValue(l.geLossGood));
            em[e]->SetAttribute("LossBad", DoubleValue(l.geLossBad));
            em[e]->AssignStreams(stream + 1 + e);
            q[e]->SetAttribute("ErrorModel", PointerValue(em[e]));
        }
        node[byName.at(*endName[e])]->AddDevice(d[e]);
        d[e]->SetChannel(ch);
    }
    for (int e = 0; e < 2; e++)
        sum->dirs.push_back({l.name, *endName[e], *endName[1 - e], d[e], q[e], em[e], ch});
    return LinkEnds(d[0], d[1]);
}

} // namespace

bool
VprimeTopology::ParseRate(const std::string& s, uint64_t* bps)
{
    char* end;
    double v;
    std::string unit;
    double mult;

    if (s == "unlimited")
    {
        *bps = 0;
        return true;
    }
    v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || !std::isfinite(v) || v <= 0)
        return false;
    for (const char* p = end; *p; p++)
        unit += char(std::tolower(static_cast<unsigned char>(*p)));
    if (unit == "bit")
        mult = 1;
    else if (unit == "kbit")
        mult = 1e3;
    else if (unit == "mbit")
        mult = 1e6;
    else if (unit == "gbit")
        mult = 1e9;
    else
        return false;
    if (v * mult < 1 || v * mult > 1e12)
        return false;
    *bps = uint64_t(v * mult);
    return true;
}

bool
VprimeTopology::ParseTime(const std::string& s, Time* t)
{
    char* end;
    double v = std::strtod(s.c_str(), &end);
    std::string unit(end);
    double ns;

    if (end == s.c_str() || !std::isfinite(v) || v < 0 || s[0] == '-' || s[0] == '+')
        return false;
    if (unit == "ns")
        ns = v;
    else if (unit == "us")
        ns = v * 1e3;
    else if (unit == "ms")
        ns = v * 1e6;
    else if (unit == "s")
        ns = v * 1e9;
    else
        return false;
    if (ns > 3600e9)
        return false;
    *t = NanoSeconds(int64_t(ns));
    return true;
}

bool
VprimeTopology::Check(const std::string& path, VprimeTopologySummary* sum, std::string* err)
{
    Topo t;

    err->clear();
    if (!Parse(path, &t, err))
        return false;
    Summarise(t, sum);
    return true;
}

bool
VprimeTopology::Build(const std::string& path,
                      VprimeHelper& helper,
                      uint16_t mtu,
                      VprimeTopologySummary* sum,
                      std::string* err,
                      const Attach& attach)
{
    Topo t;
    std::vector<Ptr<Node>> node;
    std::vector<LinkEnds> ends;
    InternetStackHelper stack;

    err->clear();
    if (!Parse(path, &t, err))
        return false;
    Summarise(t, sum);
    RngSeedManager::SetSeed(t.seed);
    helper.SetHandleAttribute("LateThreshold", TimeValue(t.late));
    for (const auto& n : t.nodes)
    {
        node.push_back(CreateObject<Node>());
        if (n.type == "router")
            stack.Install(node.back());
    }
    std::map<std::string, uint32_t> byName;
    for (uint32_t i = 0; i < t.nodes.size(); i++)
        byName[t.nodes[i].name] = i;
    for (uint32_t li = 0; li < t.links.size(); li++)
        ends.push_back(BuildLink(t, li, byName, node, mtu, sum));
    // The device of link @li at node @ni.
    auto endOf = [&](uint32_t li, uint32_t ni) -> Ptr<SimpleNetDevice> {
        return byName[t.links[li].a] == ni ? ends[li].first : ends[li].second;
    };
    for (uint32_t ni = 0; ni < t.nodes.size(); ni++)
    {
        const NodeDesc& n = t.nodes[ni];
        if (n.type == "guest")
        {
            if (!attach)
                helper.InstallBridged(node[ni], endOf(n.links[0], ni), n.spec);
            else if (!attach(node[ni], endOf(n.links[0], ni), n.spec, err))
                return false;
        }
        else if (n.type == "switch" && !n.links.empty())
        {
            NetDeviceContainer ports;
            for (uint32_t li : n.links)
                ports.Add(endOf(li, ni));
            BridgeHelper().Install(node[ni], ports);
        }
        else if (n.type == "router")
        {
            Ptr<Ipv4> ip = node[ni]->GetObject<Ipv4>();
            std::map<std::string, uint32_t> linkIdx;
            std::vector<std::pair<IfDesc, int32_t>> ifIdx;
            for (uint32_t li : n.links)
                linkIdx[t.links[li].name] = li;
            for (const auto& f : n.ifs)
            {
                int32_t k = ip->AddInterface(endOf(linkIdx[f.link], ni));
                ip->AddAddress(k, Ipv4InterfaceAddress(f.ip, f.mask));
                ip->SetUp(k);
                ifIdx.emplace_back(f, k);
            }
            Ptr<Ipv4StaticRouting> sr = Ipv4StaticRoutingHelper().GetStaticRouting(ip);
            for (const auto& r : n.routes)
                for (const auto& fk : ifIdx) // checked: one subnet holds the gateway
                    if (fk.first.mask.IsMatch(fk.first.ip, r.via))
                    {
                        sr->AddNetworkRouteTo(r.net, r.mask, r.via, uint32_t(fk.second));
                        break;
                    }
        }
    }
    return true;
}

void
VprimeTopology::PrintStats(const VprimeTopologySummary& sum, std::ostream& os)
{
    for (const auto& d : sum.dirs)
    {
        std::string at = "link " + d.link + " " + d.from + "->" + d.to + " ";
        os << at << "frames " << d.queue->GetTotalReceivedPackets() << "\n";
        // The queue's drops less the loss it judged: the limits' alone.
        os << at << "queue_full " << d.queue->GetDroppedByLimits() << "\n";
        os << at << "loss_random " << (d.loss ? d.loss->GetLostRandom() : 0) << "\n";
        os << at << "loss_burst " << (d.loss ? d.loss->GetLostBurst() : 0) << "\n";
        os << at << "held_in_order " << d.channel->GetHeldInOrder(d.tx) << "\n";
    }
}

} // namespace ns3
