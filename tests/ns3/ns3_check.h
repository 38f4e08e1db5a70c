// SPDX-License-Identifier: GPL-2.0-only
/*
 * ns3_check.h - the ns-3 host tests' CHECK and runner: a failed CHECK
 * reports its line and ends the test function it is in; each test runs in
 * turn and the program exits 1 if any failed.
 */
#ifndef NS3_CHECK_H
#define NS3_CHECK_H

#include <cstddef>
#include <cstdio>

static int g_failed;

#define CHECK(c)                                                                         \
    do                                                                                   \
    {                                                                                    \
        if (!(c))                                                                        \
        {                                                                                \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);   \
            g_failed++;                                                                  \
            return;                                                                      \
        }                                                                                \
    } while (0)

struct Ns3Test
{
    const char* name;
    void (*fn)();
};

/* Run @tests in order under @prog's name; the exit status for main(). */
template <std::size_t N>
static int
Ns3TestsRun(const char* prog, const Ns3Test (&tests)[N])
{
    for (const Ns3Test& t : tests)
    {
        int before = g_failed;
        std::printf("%s %s\n", prog, t.name);
        t.fn();
        if (g_failed != before)
            std::printf("%s %s: FAILED\n", prog, t.name);
    }
    std::printf("%s: %s\n", prog, g_failed ? "FAILED" : "ok");
    return g_failed ? 1 : 0;
}

#endif /* NS3_CHECK_H */
