// The playground page: a description in, symcount's summary table and derivation out (KaTeX), or its
// positioned error. symcount runs in worker.js (Pyodide); this script only sends text and shows answers.
import { render } from "./markdown.js";

const here = (path) => new URL(path, import.meta.url).href;
const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 400;

const input = $("pg-input");
const status = $("pg-status");
const output = $("pg-output");
const error = $("pg-error");
const banner = $("pg-banner");
const timing = $("pg-time");
let manifest = { max_bytes: 1 << 20 };
let worker = null;
let ready = false;
let sent = 0;        // the id of the last text sent
let shown = 0;       // the id of the last answer shown
let latest = null;   // the last good answer: what the downloads save
let timer = null;

function setStatus(text, state) {
  status.textContent = text;
  status.dataset.state = state;
}

function showBanner(text) {
  banner.textContent = text;
  banner.hidden = false;
}

function startWorker() {
  ready = false;
  worker = new Worker(here("worker.js"), { type: "module" });
  const opened = performance.now();
  setStatus("Loading Python (Pyodide)…", "loading");
  worker.onmessage = ({ data }) => {
    if (data.type === "status") setStatus(data.text, "loading");
    else if (data.type === "ready") {
      ready = true;
      performance.mark("playground-ready");  // read by bench/playground_bench.py
      setStatus(`Ready: symcount runs in your browser (Python ${data.python}, loaded in ${((performance.now() - opened) / 1000).toFixed(1)} s)`, "ready");
    } else if (data.type === "failed") {
      setStatus("Python could not be loaded", "failed");
      showBanner(`The playground could not start: ${data.message}`);
    } else if (data.type === "crash") {
      if (data.id === sent) setStatus("Ready", "ready");
      showBanner(`symcount failed unexpectedly (a bug: please report it with your description): ${data.message}`);
    } else if (data.type === "answer") show(data);
  };
  worker.onerror = (event) => {
    setStatus("Python could not be loaded", "failed");
    showBanner(`The playground could not start: ${event.message || "the worker failed"}`);
  };
}

function show({ id, answer, ms }) {
  if (id < shown) return;  // an older text's answer arriving late
  shown = id;
  if (id === sent) setStatus("Ready", "ready");
  $("pg-stop").hidden = true;
  timing.textContent = `counted in ${ms < 1000 ? Math.round(ms) + " ms" : (ms / 1000).toFixed(1) + " s"}`;
  banner.hidden = true;
  if (!answer.ok) {
    error.textContent = answer.error;
    error.hidden = false;
    output.classList.add("sc-stale");
    return;
  }
  error.hidden = true;
  latest = answer;
  output.classList.remove("sc-stale");
  output.replaceChildren(render(answer.markdown));
  performance.mark("playground-shown");
  for (const button of document.querySelectorAll(".sc-download")) button.disabled = false;
}

function bytes(text) {
  return new TextEncoder().encode(text).length;
}

function countNow() {
  clearTimeout(timer);
  const text = input.value;
  const size = bytes(text);
  $("pg-size").textContent = `${size.toLocaleString("en")} bytes`;
  if (size > manifest.max_bytes) {  // refused here, as the CLI refuses such a file: never sent to Python
    sent += 1;
    shown = sent;
    error.textContent = `<input>: description too large (${size.toLocaleString("en")} bytes; the limit is ` +
      `${manifest.max_bytes.toLocaleString("en")} bytes, 1 MiB)`;
    error.hidden = false;
    output.classList.add("sc-stale");
    return;
  }
  sent += 1;
  worker.postMessage({ id: sent, text });
  setStatus(ready ? "Counting…" : status.textContent, ready ? "counting" : "loading");
  const id = sent;
  setTimeout(() => { if (shown < id && ready && id === sent) $("pg-stop").hidden = false; }, 3000);
}

function countSoon() {
  clearTimeout(timer);
  timer = setTimeout(countNow, DEBOUNCE_MS);
}

function download(suffix, text, type) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = `${latest.name}${suffix}`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function load(example) {
  for (const button of document.querySelectorAll(".sc-example")) {
    button.setAttribute("aria-pressed", String(button.dataset.name === example.name));
  }
  input.value = example.text;
  countNow();
}

async function main() {
  startWorker();
  input.addEventListener("input", countSoon);
  input.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") countNow();
  });
  $("pg-count").addEventListener("click", countNow);
  $("pg-stop").addEventListener("click", () => {  // a count that runs away: start a fresh Python
    worker.terminate();
    $("pg-stop").hidden = true;
    startWorker();
    countNow();
  });
  $("pg-tex").addEventListener("click", () => download(".tex", latest.latex, "application/x-tex"));
  $("pg-md").addEventListener("click", () => download(".md", latest.markdown, "text/markdown"));
  manifest = await (await fetch(here("manifest.json"))).json();
  const gallery = await (await fetch(here("gallery.json"))).json();
  const list = $("pg-examples");
  for (const example of gallery) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sc-example";
    button.textContent = example.title;
    button.title = example.file;
    button.dataset.name = example.name;
    button.addEventListener("click", () => load(example));
    list.appendChild(button);
  }
  const asked = decodeURIComponent(location.hash.replace(/^#example=/, ""));
  load(gallery.find((example) => example.name === asked) || gallery.find((e) => e.name === "conv_exam") || gallery[0]);
}

main().catch((err) => showBanner(`The playground could not start: ${err.message || err}`));
