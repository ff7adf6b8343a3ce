// duckdb_bench.mjs — the DuckDB side of the side-by-side benchmarks.
//
//   node duckdb_bench.mjs load  CSV                 time CREATE TABLE ... AS SELECT * FROM read_csv
//   node duckdb_bench.mjs query CSV QUERIES RUNS    load, then run each query (one per line)
//                                                   once to warm up and RUNS times timed
//
// Prints JSON: {"load_s": ...} or {"load_s": ..., "queries": [{"median_ms": ..., "rows": n}]}.
// Uses 2 threads, an in-memory database, and the CSV's detected types.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [mode, csv, queriesPath, runsArg] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
const t0 = process.hrtime.bigint();
await con.run(`CREATE TABLE sales AS SELECT * FROM read_csv('${csv.replace(/'/g, "''")}', header = true)`);
const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
const out = { load_s: loadS };
if (mode === 'query') {
  const runs = Number(runsArg || 5);
  const queries = readFileSync(queriesPath, 'utf8').split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('--'));
  out.queries = [];
  for (const q of queries) {
    let rows = 0;
    const times = [];
    for (let i = 0; i <= runs; i++) {
      const s = process.hrtime.bigint();
      const r = await con.runAndReadAll(q);
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      rows = r.getRows().length;
      if (i > 0) times.push(ms); // the first run warms up
    }
    times.sort((a, b) => a - b);
    out.queries.push({ median_ms: times[Math.floor(times.length / 2)], rows });
  }
}
console.log(JSON.stringify(out));
