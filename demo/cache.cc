// The demo program's C++ half: a cache whose entries are created with new and new[]
// and never deleted, next to a correctly managed std::vector and an exception that is
// thrown and caught (heapwise must not disturb C++ exception handling).
#include <stdexcept>
#include <string>
#include <vector>

#include "demo.h"

namespace demo {

struct Entry {
    std::string name;
    int *counters;
    explicit Entry(const std::string &n) : name(n), counters(new int[16]()) {}
};

class Cache {
  public:
    // Leak 3 (and 4, the counters array): entries are never deleted.
    Entry *insert(const std::string &name)
    {
        Entry *e = new Entry(name);
        entries_.push_back(e);
        return e;
    }
    size_t size() const { return entries_.size(); }

  private:
    std::vector<Entry *> entries_;
};

static int parse_or_throw(int v)
{
    if (v < 0)
        throw std::invalid_argument("negative");
    return v;
}

} // namespace demo

extern "C" int demo_fill_cache(void)
{
    static demo::Cache *cache = new demo::Cache(); // reachable through a global: still a leak at exit
    for (int i = 0; i < 3; i++)
        cache->insert("a cache entry with a name long enough to be on the heap " + std::to_string(i));
    int caught = 0;
    try {
        demo::parse_or_throw(-1);
    } catch (const std::invalid_argument &) {
        caught = 1;
    }
    std::vector<int> temporary(1000, 7); // freed on return
    return caught && temporary[0] == 7 ? (int)cache->size() : -1;
}
