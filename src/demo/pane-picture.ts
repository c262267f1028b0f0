/**
 * A tmux window as an HTML page: every pane's captured text placed at its position, under a
 * title bar like tmux's own, with the colors a terminal would give the demo's kinds of lines.
 * Headless Chromium turns the page into the PNG in docs/images/.
 */

export interface CapturedPane {
  title: string;
  /** Position and size in character cells, as tmux reports them. */
  left: number;
  top: number;
  width: number;
  height: number;
  lines: readonly string[];
}

/** DejaVu Sans Mono at 14 px: its advance width is 0.602 em. */
const FONT_PX = 14;
const CELL_WIDTH_PX = FONT_PX * 0.602;
const LINE_PX = 17;
const MARGIN_PX = 12;

export function pictureSize(columns: number, rows: number): { width: number; height: number } {
  return {
    width: Math.ceil(columns * CELL_WIDTH_PX) + 2 * MARGIN_PX,
    height: rows * LINE_PX + 2 * MARGIN_PX,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The CSS class a terminal palette would give this line of the demo. */
function lineClass(pane: string, line: string): string {
  if (pane === 'demo') {
    if (line.startsWith('== ')) return 'headline';
    if (line.startsWith('✓')) return 'good';
    if (line.startsWith('✗')) return 'bad';
    return 'dim';
  }
  if (pane === 'server') {
    if (line.includes('[error]')) return 'bad';
    if (line.includes('[warn]')) return 'warn';
    if (line.startsWith('listening on')) return 'good';
    return 'plain';
  }
  if (line.startsWith('> ')) return 'typed';
  if (line.startsWith('! ')) return 'bad';
  if (line.startsWith('* ')) return 'dim';
  if (/^\[[\d:]{8}\] !!! /.test(line)) return 'announce';
  if (/^\[[\d:]{8}\] (?:-> )?\*[\w-]+\* /.test(line)) return 'dm';
  if (/^\[[\d:]{8}\] (?:-->|<--) /.test(line)) return 'dim';
  return 'plain';
}

function paneHtml(pane: CapturedPane): string {
  const at = (left: number, top: number, width: number, height: number) =>
    `left:${(left * CELL_WIDTH_PX).toFixed(1)}px;top:${top * LINE_PX}px;width:${(width * CELL_WIDTH_PX).toFixed(1)}px;height:${height * LINE_PX}px`;
  const body = pane.lines
    .slice(0, pane.height)
    .map((line) => `<div class="${lineClass(pane.title, line)}">${escapeHtml(line) || ' '}</div>`)
    .join('');
  return (
    `<div class="title" style="${at(pane.left, pane.top - 1, pane.width, 1)}"> ${escapeHtml(pane.title)} </div>` +
    `<div class="pane" style="${at(pane.left, pane.top, pane.width, pane.height)}">${body}</div>`
  );
}

export function panePicture(panes: readonly CapturedPane[], columns: number, rows: number, caption: string): string {
  const { width, height } = pictureSize(columns, rows);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(caption)}</title><style>
html, body { margin: 0; background: #2b2b2b; }
.window { position: relative; margin: ${MARGIN_PX}px; width: ${width - 2 * MARGIN_PX}px; height: ${height - 2 * MARGIN_PX}px;
  font: ${FONT_PX}px/${LINE_PX}px 'DejaVu Sans Mono', monospace; }
.title, .pane { position: absolute; overflow: hidden; white-space: pre; }
.title { color: #8ec07c; font-weight: bold; background: #2b2b2b; }
.pane { background: #121212; color: #d0d0d0; }
.pane div { height: ${LINE_PX}px; }
.headline { color: #83a5f8; font-weight: bold; }
.good { color: #8ec07c; }
.bad { color: #fb4934; font-weight: bold; }
.warn { color: #fabd2f; }
.dim { color: #8a8a8a; }
.typed { color: #b8e986; }
.announce { color: #fabd2f; font-weight: bold; }
.dm { color: #d3869b; }
.plain { color: #d0d0d0; }
</style></head>
<body><div class="window">${panes.map(paneHtml).join('')}</div></body></html>
`;
}
