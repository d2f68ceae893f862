// The playground's Python side without a browser: Pyodide from node_modules/pyodide loads the vendored
// wheels (argv: their paths, symcount first) and answers one description (stdin) as the page's worker
// asks it (symcount.playground.playground). Prints that JSON answer, then a line of timings.
// Run by tests/test_playground.py.
import { loadPyodide } from "pyodide";
import { readFileSync } from "node:fs";

const started = performance.now();
const wheels = process.argv.slice(2);
const pyodide = await loadPyodide();
await pyodide.loadPackage(wheels, { messageCallback: () => {} });
const loaded = performance.now();
const answer = pyodide.runPython(
  "from symcount.playground import playground\nplayground(TEXT)",
  { globals: pyodide.toPy({ TEXT: readFileSync(0, "utf-8") }) },
);
const counted = performance.now();
process.stdout.write(answer + "\n");
process.stdout.write(JSON.stringify({ load_ms: loaded - started, count_ms: counted - loaded }) + "\n");
