/**
 * Just enough Markdown to HTML for the report's PDF: headings, paragraphs, fenced code (any fence
 * length), tables, lists, block quotes, rules, raw HTML blocks, and inline code, bold, italics, links and
 * images. What the report and the project's docs use, and no more: no new dependency for a page.
 */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline markup of one line or paragraph. Code spans are cut out first so nothing inside them is touched. */
export function inline(text: string): string {
  const spans: string[] = [];
  const protectedText = text.replace(/(`+)(.+?)\1/g, (_, __: string, code: string) => {
    spans.push(`<code>${escapeHtml(code.trim())}</code>`);
    return `\u0000${spans.length - 1}\u0000`;
  });
  return (
    escapeHtml(protectedText)
      .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, '<img alt="$1" src="$2">')
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>')
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[\s(])\*([^*\s][^*]*?)\*(?=[\s).,;:]|$)/g, '$1<em>$2</em>')
      // eslint-disable-next-line no-control-regex -- NUL never occurs in Markdown, so it can mark where a code span goes back.
      .replace(/\u0000(\d+)\u0000/g, (_, index: string) => spans[Number(index)] ?? '')
  );
}

const FENCE = /^(`{3,})\s*([\w-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const LIST_ITEM = /^\s{0,3}(?:[-*+]|(\d+)[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function cells(row: string): string[] {
  const trimmed = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  // A `\|` inside a cell is a literal bar, not a column break.
  return trimmed.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

export function markdownToHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  const isBlockStart = (line: string) =>
    line.trim() === '' ||
    FENCE.test(line) ||
    HEADING.test(line) ||
    LIST_ITEM.test(line) ||
    line.startsWith('>') ||
    line.startsWith('|') ||
    /^<\/?\w/.test(line);

  // Past the end reads as an empty line, which ends every block.
  const lineAt = (index: number): string => lines[index] ?? '';

  while (i < lines.length) {
    const line = lineAt(i);
    const fence = line.match(FENCE);
    if (fence !== null) {
      const [, marker = '', fenceLanguage = ''] = fence;
      const closes = (candidate: string) => /^`+\s*$/.test(candidate) && candidate.trim().length >= marker.length;
      const body: string[] = [];
      for (i++; i < lines.length && !closes(lineAt(i)); i++) body.push(lineAt(i));
      i++;
      const language = fenceLanguage === '' ? '' : ` class="language-${fenceLanguage}"`;
      out.push(`<pre><code${language}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = line.match(HEADING);
    if (heading !== null) {
      const [, hashes = '', title = ''] = heading;
      out.push(`<h${hashes.length}>${inline(title)}</h${hashes.length}>`);
      i++;
      continue;
    }
    if (line.startsWith('|') && TABLE_RULE.test(lines[i + 1] ?? '')) {
      const head = cells(line)
        .map((cell) => `<th>${inline(cell)}</th>`)
        .join('');
      const rows: string[] = [];
      for (i += 2; i < lines.length && lineAt(i).trim().startsWith('|'); i++) {
        rows.push(
          `<tr>${cells(lineAt(i))
            .map((cell) => `<td>${inline(cell)}</td>`)
            .join('')}</tr>`,
        );
      }
      out.push(`<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
      continue;
    }
    const item = line.match(LIST_ITEM);
    if (item !== null) {
      const ordered = item[1] !== undefined;
      const items: string[] = [];
      while (i < lines.length) {
        const current = lineAt(i).match(LIST_ITEM);
        const previous = items.at(-1);
        if (current !== null) items.push(current[2] ?? '');
        else if (/^\s+\S/.test(lineAt(i)) && previous !== undefined)
          items[items.length - 1] = `${previous} ${lineAt(i).trim()}`;
        else break;
        i++;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((text) => `<li>${inline(text)}</li>`).join('')}</${tag}>`);
      continue;
    }
    if (line.startsWith('>')) {
      const quoted: string[] = [];
      for (; i < lines.length && lineAt(i).startsWith('>'); i++) quoted.push(lineAt(i).replace(/^>\s?/, ''));
      out.push(`<blockquote>${markdownToHtml(quoted.join('\n'))}</blockquote>`);
      continue;
    }
    if (/^<\/?\w/.test(line)) {
      for (; i < lines.length && lineAt(i).trim() !== ''; i++) out.push(lineAt(i));
      continue;
    }
    if (/^\s*(?:-{3,}|\*{3,})\s*$/.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const paragraph: string[] = [];
    for (; i < lines.length && (paragraph.length === 0 || !isBlockStart(lineAt(i))); i++)
      paragraph.push(lineAt(i).trim());
    out.push(`<p>${inline(paragraph.join(' '))}</p>`);
  }
  return out.join('\n');
}
