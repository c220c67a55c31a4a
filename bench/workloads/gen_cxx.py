"""Workload 6c of the benchmark: writes a C++ file that includes a dozen standard headers
and FUNCS generated functions instantiating containers and algorithms, for
`g++ -E` (the preprocessed file then goes to cc1plus -O2).

    python3 gen_cxx.py FUNCS > big.cc
"""
import sys

HEADERS = """algorithm deque functional list map memory numeric set sstream string
unordered_map vector""".split()

FUNC = """
struct rec{n} {{ std::string name; std::vector<int> v; double w; }};
std::map<std::string, rec{n}> build{n}(int k)
{{
    std::map<std::string, rec{n}> m;
    for (int i = 0; i < k; i++) {{
        rec{n} r{{std::to_string(i * {n}), std::vector<int>(i % 7, i), i * 0.5}};
        std::sort(r.v.begin(), r.v.end(), std::greater<int>());
        m.emplace(r.name + "-{n}", std::move(r));
    }}
    std::unordered_map<int, std::list<std::string>> u;
    for (auto &kv : m)
        u[(int)kv.second.v.size()].push_back(kv.first);

    for (auto &kv : u)
        for (auto &s : kv.second)
            if (s.size() > 3)
                m[s].w += std::accumulate(kv.second.begin(), kv.second.end(), std::string()).size();
    return m;
}}
"""


def main():
    funcs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    out = sys.stdout
    for h in HEADERS:
        out.write("#include <%s>\n" % h)
    for n in range(funcs):
        out.write(FUNC.format(n=n))
    out.write("int main() { return %s; }\n" % ("(int)build0(10).size() != 10" if funcs else "0"))


if __name__ == "__main__":
    main()
