// The playground's web worker: Pyodide runs here, so a long count never freezes the page.
// It loads Pyodide and the four wheels the build put beside it (manifest.json), then answers each
// {id, text, network} message with symcount.playground.playground(text, network): {id, answer, ms}.
// Everything comes from the site itself: no CDN, no package index.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const here = (path) => new URL(path, import.meta.url).href;

async function start() {
  const [manifest, pyodide] = await Promise.all([
    fetch(here("manifest.json")).then((response) => response.json()),
    loadPyodide({ indexURL: here("pyodide/") }),
  ]);
  postMessage({ type: "status", text: "Loading symcount, SymPy and Lark…" });
  // URLs: Pyodide resolves no dependencies for them, so the manifest lists all four wheels.
  await pyodide.loadPackage(manifest.wheels.map((wheel) => here("wheels/" + wheel)), {
    messageCallback: () => {},
    errorCallback: (message) => postMessage({ type: "status", text: message }),
  });
  postMessage({ type: "status", text: "Importing symcount…" });
  const playground = pyodide.runPython("from symcount.playground import playground\nplayground");
  postMessage({ type: "ready", python: manifest.python });
  return playground;
}

const ready = start();
ready.catch((error) => postMessage({ type: "failed", message: String(error && error.message || error) }));

onmessage = async ({ data }) => {
  let playground;
  try {
    playground = await ready;
  } catch (error) {
    return;  // reported once, above
  }
  const started = performance.now();
  try {
    const answer = JSON.parse(playground(data.text, data.network || null));
    postMessage({ type: "answer", id: data.id, answer, ms: performance.now() - started });
  } catch (error) {
    // not a SymcountError (those are answers): a bug in symcount, shown as such
    postMessage({ type: "crash", id: data.id, message: String(error && error.message || error) });
  }
};
