// Renders display math in KaTeX and MathJax 3; reads a JSON list of TeX strings on stdin and
// writes a JSON list of the same length: null where both render cleanly, else the problem.
// KaTeX throws on an error (throwOnError); MathJax never throws, so its MathML is searched for
// merror / data-mjx-error, with the noerrors and noundefined packages left out.
"use strict";
const katex = require("katex");
const {mathjax} = require("mathjax-full/js/mathjax.js");
const {TeX} = require("mathjax-full/js/input/tex.js");
const {liteAdaptor} = require("mathjax-full/js/adaptors/liteAdaptor.js");
const {RegisterHTMLHandler} = require("mathjax-full/js/handlers/html.js");
const {SerializedMmlVisitor} = require("mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js");
require("mathjax-full/js/input/tex/base/BaseConfiguration.js");
require("mathjax-full/js/input/tex/ams/AmsConfiguration.js");
require("mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js");
require("mathjax-full/js/input/tex/configmacros/ConfigMacrosConfiguration.js");

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const doc = mathjax.document("", {InputJax: new TeX({packages: ["base", "ams", "newcommand", "configmacros"]})});
const visitor = new SerializedMmlVisitor();

function check(tex) {
  try {
    const html = katex.renderToString(tex, {displayMode: true, throwOnError: true, strict: "error"});
    const text = html.replace(/<annotation[\s\S]*?<\/annotation>/g, "").replace(/<[^>]*>/g, "");
    for (const literal of ["[t]", "[b]"]) {
      if (text.includes(literal)) return `KaTeX prints a literal ${literal}`;
    }
  } catch (e) {
    return `KaTeX: ${e.message}`;
  }
  const mml = visitor.visitTree(doc.convert(tex, {display: true}));
  const m = /data-mjx-error="([^"]*)"/.exec(mml);
  if (m) return `MathJax: ${m[1]}`;
  if (mml.includes("<merror")) return "MathJax: merror";
  return null;
}

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(check)));
});
