// ns-3's version of bench/sim_world.sh's world, for bench/sim_scale_bench.sh:
// R routers in a ring on 10 Gbit/s, 5 ms point-to-point links; H hosts,
// H/R behind each router on their own 1 Gbit/s, 1 ms link; F bulk NewReno
// flows (BulkSend, no byte limit) from host S*f to host (S*f + 37) mod H,
// 128 KiB socket buffers, 1448-byte segments (timestamps on, as naru's),
// global routing. Built by the bench script against Debian's libns3-dev,
// not by CMake.
//
// usage: ring_world ROUTERS HOSTS FLOWS STRIDE SECONDS
// Prints one line: transmissions (PhyTxEnd on every device: each frame
// put on a link, each hop, data and ACKs), wall and CPU seconds of the
// run alone (not the setup: global routing), simulated seconds,
// peak RSS and bytes the sinks received.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

static uint64_t transmissions;

static void OnPhyTxEnd(Ptr<const Packet>)
{
    transmissions++;
}

static long PeakKib()
{
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::atol(line.c_str() + 6);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: ring_world ROUTERS HOSTS FLOWS STRIDE SECONDS\n");
        return 2;
    }
    uint32_t routers = std::atoi(argv[1]), hosts = std::atoi(argv[2]), flows = std::atoi(argv[3]);
    uint32_t stride = std::atoi(argv[4]);
    double seconds = std::atof(argv[5]);
    if (routers < 3 || hosts % routers || !flows || !(seconds > 0)) {
        std::fprintf(stderr, "ring_world: HOSTS a multiple of ROUTERS (>= 3)\n");
        return 2;
    }
    uint32_t per = hosts / routers;

    Config::SetDefault("ns3::TcpL4Protocol::SocketType", TypeIdValue(TcpNewReno::GetTypeId()));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(128 * 1024));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(128 * 1024));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));

    NodeContainer r, h;
    r.Create(routers);
    h.Create(hosts);
    InternetStackHelper stack;
    stack.Install(r);
    stack.Install(h);

    PointToPointHelper ring, access;
    ring.SetDeviceAttribute("DataRate", StringValue("10Gbps"));
    ring.SetChannelAttribute("Delay", StringValue("5ms"));
    access.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    access.SetChannelAttribute("Delay", StringValue("1ms"));

    Ipv4AddressHelper ringAddr("10.255.0.0", "255.255.255.252");
    for (uint32_t i = 0; i < routers; i++) {
        ringAddr.Assign(ring.Install(r.Get(i), r.Get((i + 1) % routers)));
        ringAddr.NewNetwork();
    }
    Ipv4AddressHelper accessAddr("10.0.0.0", "255.255.255.252");
    std::vector<Ipv4Address> hostAddr(hosts);
    for (uint32_t i = 0; i < hosts; i++) {
        Ipv4InterfaceContainer ifs = accessAddr.Assign(access.Install(h.Get(i), r.Get(i / per)));
        hostAddr[i] = ifs.GetAddress(0);
        accessAddr.NewNetwork();
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    ApplicationContainer apps;
    for (uint32_t f = 0; f < flows; f++) {
        uint32_t from = (stride * f) % hosts, to = (stride * f + 37) % hosts;
        uint16_t port = (uint16_t)(5001 + f);
        PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
        apps.Add(sink.Install(h.Get(to)));
        BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(hostAddr[to], port));
        bulk.SetAttribute("MaxBytes", UintegerValue(0));
        apps.Add(bulk.Install(h.Get(from)));
    }
    apps.Start(Seconds(0));
    Config::ConnectWithoutContext("/NodeList/*/DeviceList/*/$ns3::PointToPointNetDevice/PhyTxEnd",
                                  MakeCallback(&OnPhyTxEnd));

    Simulator::Stop(Seconds(seconds));
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    Simulator::Run();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    uint64_t delivered = 0;
    for (uint32_t i = 0; i < apps.GetN(); i++)
        if (Ptr<PacketSink> s = DynamicCast<PacketSink>(apps.Get(i)))
            delivered += s->GetTotalRx();
    std::printf("transmissions=%llu wall=%.3f cpu=%.3f sim=%.3f peak_kib=%ld delivered=%llu\n",
                (unsigned long long)transmissions, wall, cpu, seconds, PeakKib(), (unsigned long long)delivered);
    Simulator::Destroy();
    return 0;
}
