/**
 * The lab report as Markdown: title page, goal and task, protocol, the demonstration (transcript
 * and screenshots), the repository, and every source file as a listing. Pure: it is given what to
 * say and returns the text, so it is tested without files or processes.
 */
import { ERROR_TEXT, VERBS } from '../protocol/index.js';
import { fenceFor, type SourceFile } from './source-files.js';

interface TitlePage {
  author: string;
  group: string;
  teacher: string;
  date: string;
}

export interface ReportInputs {
  title: TitlePage;
  repositoryUrl: string;
  /** docs/PROTOCOL.md, when the project has it; otherwise a summary is made from the code. */
  protocolDoc: string | undefined;
  /** The demo transcript and where it came from; undefined when the demo was skipped. */
  transcript: { text: string; origin: string } | undefined;
  /** Image paths relative to the report file. */
  screenshots: readonly string[];
  sources: readonly SourceFile[];
}

const PAGE_BREAK = '<div class="page-break"></div>';

const GOAL = [
  'The goal of this work is to build a multi-user chat server and a console client that talk over',
  'TCP sockets, and to make the server tolerate the crash of its parts. Many users connect at once,',
  'register a nick, exchange public messages that every user receives in the same order, send',
  'private messages to one another, and see who joins and who leaves, abruptly or not.',
].join(' ');

const TASK = [
  'The server (Node.js, TypeScript) is a cluster of processes: a primary process holds the shared',
  'state — the registry of nicks, the sequence counter of public events and their history — and',
  'forks worker processes that serve the TCP clients. When a worker dies it is replaced, its users',
  'are told, and clients reconnect and fetch what they missed; the primary persists the history so',
  'that a restart continues where it stopped. The client is a console program that shows the chat',
  'without clobbering the line being typed and reconnects on its own. The text protocol between',
  'them, chat/1, is specified in section 2.',
].join(' ');

export function reportMarkdown(inputs: ReportInputs): string {
  return [
    titlePage(inputs),
    PAGE_BREAK,
    '## 1. Goal and task',
    GOAL,
    TASK,
    '## 2. Protocol',
    inputs.protocolDoc === undefined ? protocolFromCode() : embedDocument(inputs.protocolDoc, 'docs/PROTOCOL.md'),
    '## 3. Demonstration',
    demonstration(inputs),
    '## 4. Repository',
    `The full project, with its history, tests, benchmark and documentation: [${inputs.repositoryUrl}](${inputs.repositoryUrl})`,
    PAGE_BREAK,
    '## Appendix: source code',
    `Every file under \`src/\` (${inputs.sources.length} files), in path order. The server's entry point is \`src/primary.ts\`, the client's \`src/client.ts\`.`,
    ...inputs.sources.map(listing),
  ]
    .join('\n\n')
    .concat('\n');
}

function titlePage(inputs: ReportInputs): string {
  const { author, group, teacher, date } = inputs.title;
  return [
    '<div class="title-page">',
    '',
    '# clusterchat: a crash-tolerant multi-user chat over TCP',
    '',
    '**Lab report**',
    '',
    '| | |',
    '|---|---|',
    `| Author | ${author} |`,
    `| Group | ${group} |`,
    `| Teacher | ${teacher} |`,
    `| Date | ${date} |`,
    `| Repository | [${inputs.repositoryUrl}](${inputs.repositoryUrl}) |`,
    '',
    '</div>',
  ].join('\n');
}

/** A Markdown document under one of the report's sections: its title dropped, its headings one level down. */
export function embedDocument(markdown: string, source: string): string {
  let fence = '';
  const lines: string[] = [];
  for (const [index, line] of markdown.split('\n').entries()) {
    if (fence !== '') {
      if (/^`+\s*$/.test(line) && line.trim().length >= fence.length) fence = '';
      lines.push(line);
      continue;
    }
    fence = line.match(/^`{3,}/)?.[0] ?? '';
    if (index === 0 && /^# /.test(line)) continue;
    lines.push(/^#{1,5} /.test(line) ? `#${line}` : line);
  }
  return `*From \`${source}\`.*\n\n${lines.join('\n').trim()}`;
}

function protocolFromCode(): string {
  const codes = Object.entries(ERROR_TEXT).map(([code, text]) => `| \`${code}\` | ${text} |`);
  return [
    'chat/1 is a line protocol over TCP: one UTF-8 line per frame, ended by LF, at most 4096 bytes.',
    'Every command gets exactly one reply, `OK [data]` or `ERROR <CODE> <text>`, in the order the',
    'commands were sent; every other line is an event (`WELCOME`, `MSG`, `JOIN`, `LEAVE`, `ANNOUNCE`,',
    '`DM`, `PING`, `BYE`). Public events carry one sequence number for the whole server.',
    '',
    `Commands: ${VERBS.map((verb) => `\`${verb}\``).join(', ')}.`,
    '',
    '| error code | meaning |',
    '|---|---|',
    ...codes,
  ].join('\n');
}

function demonstration(inputs: ReportInputs): string {
  const parts: string[] = [
    'The demonstration is one command, `npm run demo`: it starts the server with 4 workers, four',
    'console clients (alice, bob, carol, dave) on pipes, and plays a conversation — public messages,',
    "a private message, `/users`, an operator announcement —, then kills carol's client with",
    'SIGKILL, kills the worker process serving bob with `kill -9`, and finally stops the server with',
    'SIGTERM. It checks every step and exits 0 only if each one behaved; `npm run demo -- --tmux`',
    'shows the same run in tmux, one pane per process.',
  ];
  if (inputs.screenshots.length > 0) {
    parts.push('', '### 3.1 Screenshots', '');
    for (const image of inputs.screenshots)
      parts.push(`![The demo in tmux: the narrator, the server and four clients](${image})`, '');
  }
  parts.push('', '### 3.2 Transcript', '');
  if (inputs.transcript === undefined) {
    parts.push('*The demo was not run for this report (`--no-demo`); `npm run demo` prints the transcript.*');
  } else {
    const fence = fenceFor(inputs.transcript.text);
    parts.push(
      `*${inputs.transcript.origin}.* Every line is prefixed by the process that printed it; \`>\` marks a line typed into a client; \`[demo]\` lines are the demo's own checks.`,
      '',
    );
    parts.push(`${fence}text`, inputs.transcript.text.replace(/^\n+|\n+$/g, ''), fence);
  }
  return parts.join('\n');
}

function listing(file: SourceFile): string {
  const fence = fenceFor(file.text);
  return `### ${file.path}\n\n${fence}${file.language}\n${file.text.replace(/\n$/, '')}\n${fence}`;
}
