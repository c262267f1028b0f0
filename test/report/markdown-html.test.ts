import test from 'ava';
import { inline, markdownToHtml } from '../../src/report/markdown-html.js';
import { embedDocument } from '../../src/report/report-document.js';

test('fenced code keeps its text escaped and verbatim, even with a shorter fence inside', (t) => {
  const html = markdownToHtml('````ts\nconst a = `x` < 1;\n```\nstill code\n````\nafter');
  t.is(html, '<pre><code class="language-ts">const a = `x` &lt; 1;\n```\nstill code</code></pre>\n<p>after</p>');
});

test('tables, lists, headings and raw HTML blocks', (t) => {
  const html = markdownToHtml(
    '# Title\n\n| a | b |\n|---|---|\n| `x\\|y` | **z** |\n\n- one\n  more\n- two\n\n<div class="k">\n\n</div>',
  );
  t.is(
    html,
    '<h1>Title</h1>\n<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td><code>x|y</code></td><td><strong>z</strong></td></tr></tbody></table>\n' +
      '<ul><li>one more</li><li>two</li></ul>\n<div class="k">\n</div>',
  );
});

test('inline markup leaves code spans alone and escapes HTML', (t) => {
  t.is(
    inline('see [docs](a.md), ![pic](p.png), `<b>**no**</b>` and *this*'),
    'see <a href="a.md">docs</a>, <img alt="pic" src="p.png">, <code>&lt;b&gt;**no**&lt;/b&gt;</code> and <em>this</em>',
  );
});

test('an embedded document loses its title and its headings go one level down, code untouched', (t) => {
  t.is(
    embedDocument('# Doc\n## Part\n```\n# not a heading\n```', 'x.md'),
    '*From `x.md`.*\n\n### Part\n```\n# not a heading\n```',
  );
});
