"""Workload 6b of the benchmark: writes an SQL script of ROWS single-row INSERTs into an
indexed table (in one transaction), then a few queries, for `sqlite3 :memory:`.

    python3 gen_sql.py ROWS > inserts.sql
"""
import sys


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
    out = sys.stdout
    out.write("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, tag TEXT);\n")
    out.write("CREATE INDEX t_name ON t(name);\nCREATE INDEX t_tag ON t(tag);\nBEGIN;\n")
    for i in range(rows):
        out.write("INSERT INTO t(name, score, tag) VALUES('name-%d-%s', %d.5, 'tag%d');\n"
                  % (i * 7919 % rows, "x" * (i % 40), i % 1000, i % 97))
    out.write("COMMIT;\n")
    out.write("SELECT tag, count(*), avg(score) FROM t GROUP BY tag ORDER BY 2 DESC LIMIT 3;\n")
    out.write("SELECT count(*) FROM t WHERE name LIKE 'name-1%';\n")


if __name__ == "__main__":
    main()
