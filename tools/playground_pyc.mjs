// Build step of the playground (tools/playground.py): compile wheels to bytecode with Pyodide's own
// Python. Arguments: a folder, then pairs of file names in it (a wheel, the compiled wheel to write).
// The folder is mounted into Pyodide's file system and tools/playground_pyc.py runs there.
import { loadPyodide } from "pyodide";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [folder, ...names] = process.argv.slice(2);
const pyodide = await loadPyodide();
pyodide.FS.mkdirTree("/wheels");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder }, "/wheels");
const script = readFileSync(fileURLToPath(new URL("playground_pyc.py", import.meta.url)), "utf-8");
pyodide.runPython(script + "\nfor _source, _target in zip(ARGS[::2], ARGS[1::2]):\n    compile_wheel(_source, _target)\n", {
  globals: pyodide.toPy({ __name__: "playground_pyc", ARGS: names.map((name) => "/wheels/" + name) }),
});
