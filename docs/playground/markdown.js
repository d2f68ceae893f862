// The markdown symcount writes (headings, paragraphs, **bold**, *emphasis*, `code`, pipe tables, "- "
// lists, $$ display math $$ and $inline math$), turned into DOM nodes for the playground.
// Nodes are built with textContent, never innerHTML: what a student typed (a network's name, a comment)
// can reach the output, and it stays text. Math goes to the site's KaTeX (window.katex), which by default
// trusts no \href or \url. Backslash escapes (symcount escapes markdown's punctuation) become the character.

const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function math(tex, display) {
  const node = el(display ? "div" : "span", display ? "sc-math-display" : "sc-math");
  try {
    window.katex.render(tex, node, { displayMode: display, throwOnError: false });
  } catch (error) {
    node.textContent = tex;
  }
  return node;
}

// The closing delimiter of a span opened at `from`, skipping backslash escapes; -1 if none.
function closing(text, from, delimiter) {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") { i++; continue; }
    if (text.startsWith(delimiter, i)) return i;
  }
  return -1;
}

const wordy = (ch) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

// Inline markdown into `parent`.
export function inline(text, parent) {
  const stack = [parent];
  let buffer = "";
  const top = () => stack[stack.length - 1];
  const flush = () => { if (buffer) { top().appendChild(document.createTextNode(buffer)); buffer = ""; } };
  const toggle = (tag, marker) => {
    flush();
    if (top().dataset && top().dataset.marker === marker) { stack.pop(); return; }
    const node = el(tag);
    node.dataset.marker = marker;
    top().appendChild(node);
    stack.push(node);
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\" && PUNCTUATION.includes(text[i + 1] || "")) { buffer += text[++i]; continue; }
    if (ch === "`") {
      const end = text.indexOf("`", i + 1);
      if (end > i) { flush(); top().appendChild(el("code", "", text.slice(i + 1, end).replace(/\\\|/g, "|"))); i = end; continue; }
    }
    if (ch === "$") {
      const end = closing(text, i + 1, "$");
      if (end > i + 1) { flush(); top().appendChild(math(text.slice(i + 1, end), false)); i = end; continue; }
    }
    if (ch === "*" && text[i + 1] === "*") { toggle("strong", "**"); i++; continue; }
    if (ch === "*") { toggle("em", "*"); continue; }
    if (ch === "_" && !(wordy(text[i - 1]) && wordy(text[i + 1]))) { toggle("em", "_"); continue; }
    buffer += ch;
  }
  flush();
  for (const node of parent.querySelectorAll("[data-marker]")) delete node.dataset.marker;
  return parent;
}

// Table cells: split on the pipes that are not escaped.
function cells(line) {
  const parts = [];
  let current = "";
  const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\" && i + 1 < body.length) { current += body[i] + body[i + 1]; i++; continue; }
    if (body[i] === "|") { parts.push(current.trim()); current = ""; continue; }
    current += body[i];
  }
  parts.push(current.trim());
  return parts;
}

function table(lines) {
  const wrap = el("div", "sc-table");
  const node = el("table");
  const align = cells(lines[1]).map((c) => (c.endsWith(":") ? (c.startsWith(":") ? "center" : "right") : "left"));
  const head = node.appendChild(el("thead")).appendChild(el("tr"));
  cells(lines[0]).forEach((text, n) => { const th = inline(text, el("th")); th.style.textAlign = align[n] || "left"; head.appendChild(th); });
  const body = node.appendChild(el("tbody"));
  for (const line of lines.slice(2)) {
    const tr = body.appendChild(el("tr"));
    cells(line).forEach((text, n) => { const td = inline(text, el("td")); td.style.textAlign = align[n] || "left"; tr.appendChild(td); });
  }
  wrap.appendChild(node);
  return wrap;
}

// A markdown document into a fragment of DOM nodes.
export function render(markdown) {
  const out = document.createDocumentFragment();
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i++; continue; }
    if (line.trim() === "$$") {
      const end = lines.findIndex((l, n) => n > i && l.trim() === "$$");
      const stop = end === -1 ? lines.length : end;
      out.appendChild(math(lines.slice(i + 1, stop).join("\n"), true));
      i = stop + 1;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      out.appendChild(inline(heading[2], el("h" + Math.min(6, heading[1].length + 1))));
      i++;
      continue;
    }
    if (line.trimStart().startsWith("|") && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
      const start = i;
      while (i < lines.length && lines[i].trimStart().startsWith("|")) i++;
      out.appendChild(table(lines.slice(start, i)));
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const list = el("ul");
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i])) {
        list.appendChild(inline(lines[i].replace(/^\s*[-*]\s+/, ""), el("li")));
        i++;
      }
      out.appendChild(list);
      continue;
    }
    const start = i++;  // a paragraph holds at least its first line, whatever it starts with
    while (i < lines.length && lines[i].trim() && lines[i].trim() !== "$$" && !/^#{1,6}\s/.test(lines[i])
           && !lines[i].trimStart().startsWith("|") && !/^\s*[-*]\s+/.test(lines[i])) i++;
    out.appendChild(inline(lines.slice(start, i).join(" "), el("p")));
  }
  return out;
}
