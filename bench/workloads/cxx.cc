/*
 * Workload 3 of the benchmark: C++ containers doing what C++ programs do all day, every
 * node and buffer through operator new/delete: a std::map of std::string keys (longer
 * than the small-string buffer) to std::vector values, filled, looked up, erased.
 *
 *   cxx ROUNDS
 */
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

// Keys alive at once in the map.
static const unsigned KEYS = 4096;

static uint64_t next_rand(uint64_t &s)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

int main(int argc, char **argv)
{
    unsigned long rounds = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 40;
    uint64_t seed = 88172645463325252ull, sum = 0;
    for (unsigned long r = 0; r < rounds; r++) {
        std::map<std::string, std::vector<int>> m;
        for (unsigned i = 0; i < KEYS; i++) {
            std::string key = "benchmark-key-" + std::to_string(next_rand(seed) % 100000);
            std::vector<int> &v = m[key];
            for (unsigned j = 0; j < 1 + i % 24; j++)
                v.push_back((int)j);
        }
        std::vector<std::string> words;
        for (const auto &kv : m)
            if (kv.second.size() % 3 == 0)
                words.push_back(kv.first + "/" + std::to_string(kv.second.size()));
        for (const auto &w : words)
            sum += m.erase(w.substr(0, w.find('/')));
        sum += m.size();
    }
    return sum == 0 ? 1 : 0;
}
