// TEST-ONLY: run Python code in Pyodide under node (tests/test_pyodide.py).
// usage: node run_core.mjs PYODIDE_DIR SCRIPT.py  -> prints what the script prints
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [dir, script] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(dir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: dir + path.sep, stdout: (s) => console.log(s), stderr: (s) => console.error(s) });
await pyodide.runPythonAsync(readFileSync(script, "utf8"));
