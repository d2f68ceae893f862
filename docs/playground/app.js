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
let sent = 0;        // the id of the last text counted or refused
let shown = 0;       // the id of the last answer shown
let busy = false;    // the worker holds a text: one at a time, so typing never queues up stale counts
let waiting = null;  // the newest text typed meanwhile ({id, text}), sent when the worker is free
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
      next();
      showBanner(`symcount failed unexpectedly (a bug: please report it with your description): ${data.message}`);
    } else if (data.type === "answer") show(data);
  };
  worker.onerror = (event) => {
    setStatus("Python could not be loaded", "failed");
    showBanner(`The playground could not start: ${event.message || "the worker failed"}`);
  };
}

function post(message) {
  busy = true;
  worker.postMessage(message);
  const id = message.id;
  setTimeout(() => { if (shown < id && ready && id === sent) $("pg-stop").hidden = false; }, 3000);
}

function next() {
  busy = false;
  if (waiting) {
    const message = waiting;
    waiting = null;
    post(message);
  }
}

function show({ id, answer, ms }) {
  next();
  if (id < shown || id < sent) return;  // an older text's answer: a newer one is on its way
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
  showNetworks(answer.networks, answer.name);
  output.classList.remove("sc-stale");
  output.replaceChildren(render(answer.markdown));
  performance.mark("playground-shown");
  for (const button of document.querySelectorAll(".sc-download")) button.disabled = false;
}

// A text with several networks: a choice of which to count (the command line's --network).
function showNetworks(names, chosen) {
  const select = $("pg-network");
  if ([...select.options].map((option) => option.value).join("\n") !== names.join("\n")) {
    select.replaceChildren(...names.map((name) => new Option(name, name)));
  }
  select.value = chosen;
  $("pg-network-choice").hidden = names.length < 2;
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
    waiting = null;
    if (ready) setStatus("Ready", "ready");
    error.textContent = `<input>: description too large (${size.toLocaleString("en")} bytes; the limit is ` +
      `${manifest.max_bytes.toLocaleString("en")} bytes, 1 MiB)`;
    error.hidden = false;
    output.classList.add("sc-stale");
    return;
  }
  sent += 1;
  const network = $("pg-network-choice").hidden ? null : $("pg-network").value;
  if (busy) waiting = { id: sent, text, network };
  else post({ id: sent, text, network });
  if (ready) setStatus("Counting…", "counting");
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

// A link that opens the playground on this text (#code=...), for a teacher to hand out: put in the
// address bar and copied. Long texts make links some mail and chat programs cut: refused above LINK_MAX.
const LINK_MAX = 16000;

async function shareLink() {
  const url = `${location.origin}${location.pathname}#code=${encodeURIComponent(input.value)}`;
  if (url.length > LINK_MAX) {
    $("pg-time").textContent = "too long for a link: download the .md instead";
    return;
  }
  history.replaceState(null, "", url);
  try {
    await navigator.clipboard.writeText(url);
    $("pg-time").textContent = "link copied";
  } catch (err) {
    $("pg-time").textContent = "link in the address bar";
  }
}

// What the address asks for: #code=TEXT, #example=NAME (a gallery page's link), else the convolution exam.
function fromAddress(gallery) {
  const hash = location.hash;
  if (hash.startsWith("#code=")) {
    let text = null;
    try { text = decodeURIComponent(hash.slice(6)); } catch (err) { /* a cut link: fall back to an example */ }
    if (text !== null) return { name: "", text };
  }
  const asked = hash.startsWith("#example=") ? hash.slice(9) : "";
  return gallery.find((e) => e.name === asked) || gallery.find((e) => e.name === "conv_exam") || gallery[0];
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
  $("pg-network").addEventListener("change", countNow);
  $("pg-stop").addEventListener("click", () => {  // a count that runs away: start a fresh Python
    worker.terminate();
    $("pg-stop").hidden = true;
    busy = false;
    waiting = null;
    startWorker();
    countNow();
  });
  $("pg-tex").addEventListener("click", () => download(".tex", latest.latex, "application/x-tex"));
  $("pg-md").addEventListener("click", () => download(".md", latest.markdown, "text/markdown"));
  $("pg-link").addEventListener("click", shareLink);
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
  load(fromAddress(gallery));
  window.addEventListener("hashchange", () => load(fromAddress(gallery)));
}

main().catch((err) => showBanner(`The playground could not start: ${err.message || err}`));
