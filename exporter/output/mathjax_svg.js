// Turn a batch of TeX expressions into standalone SVG with MathJax 3 (one process per build).
// stdin: JSON [{"tex": "...", "display": bool}, ...]
// stdout: JSON [{"svg": "<svg ...>"} | {"error": "..."}, ...] in the same order.
'use strict';
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
// noundefined/noerrors are left out so that an unknown macro is reported, not drawn in red.
const packages = AllPackages.filter((p) => p !== 'noundefined' && p !== 'noerrors');
const tex = new TeX({packages, formatError: (jax, err) => { throw err; }});
// fontCache 'none': every SVG carries its own paths, so no shared ids clash on the page.
const svg = new SVG({fontCache: 'none'});
const html = mathjax.document('', {InputJax: tex, OutputJax: svg});

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const items = JSON.parse(input);
  const out = items.map(({tex: source, display}) => {
    try {
      const node = html.convert(source, {display, em: 16, ex: 8, containerWidth: 80 * 16});
      const inner = adaptor.innerHTML(node);
      if (inner.includes('data-mjx-error') || inner.includes('merror')) {
        const m = /title="([^"]*)"/.exec(inner);
        return {error: m ? m[1] : 'MathJax error'};
      }
      return {svg: inner};
    } catch (err) {
      return {error: String(err && err.message ? err.message : err)};
    }
  });
  process.stdout.write(JSON.stringify(out));
});
