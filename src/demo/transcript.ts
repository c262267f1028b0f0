/**
 * The demo's one interleaved transcript: every line prefixed by who printed it, a headline before
 * each step, and the demo's own verdicts. Entries go to any number of sinks (the terminal, a
 * file, the tmux panes), each formatting them as it needs.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

export type TranscriptEntry =
  /** A step begins. */
  | { kind: 'headline'; text: string }
  /** A line a process printed. */
  | { kind: 'output'; who: string; text: string }
  /** A line the demo typed into a client. */
  | { kind: 'input'; who: string; text: string }
  /** The demo's own finding: a check that passed or failed, or a remark. */
  | { kind: 'verdict'; ok: boolean | undefined; text: string };

export interface TranscriptSink {
  write(entry: TranscriptEntry): void;
}

/** The width of `[server]`: shorter names are padded so the text lines up. */
const LABEL_WIDTH = 9;

/** One entry as a plain line (or, for a headline, a blank line and the headline). */
export function formatEntry(entry: TranscriptEntry): string {
  switch (entry.kind) {
    case 'headline':
      return `\n== ${entry.text}`;
    case 'output':
      return `${`[${entry.who}]`.padEnd(LABEL_WIDTH)}${entry.text}`;
    case 'input':
      return `${`[${entry.who}]`.padEnd(LABEL_WIDTH)}> ${entry.text}`;
    case 'verdict': {
      const mark = entry.ok === undefined ? '·' : entry.ok ? '✓' : '✗';
      return `${'[demo]'.padEnd(LABEL_WIDTH)}${mark} ${entry.text}`;
    }
  }
}

export class Transcript {
  readonly #sinks: TranscriptSink[];
  readonly #entries: TranscriptEntry[] = [];

  constructor(sinks: TranscriptSink[] = []) {
    this.#sinks = sinks;
  }

  get entries(): readonly TranscriptEntry[] {
    return this.#entries;
  }

  addSink(sink: TranscriptSink): void {
    this.#sinks.push(sink);
  }

  headline(text: string): void {
    this.#write({ kind: 'headline', text });
  }

  output(who: string, text: string): void {
    this.#write({ kind: 'output', who, text });
  }

  input(who: string, text: string): void {
    this.#write({ kind: 'input', who, text });
  }

  pass(text: string): void {
    this.#write({ kind: 'verdict', ok: true, text });
  }

  fail(text: string): void {
    this.#write({ kind: 'verdict', ok: false, text });
  }

  remark(text: string): void {
    this.#write({ kind: 'verdict', ok: undefined, text });
  }

  #write(entry: TranscriptEntry): void {
    this.#entries.push(entry);
    for (const sink of this.#sinks) sink.write(entry);
  }
}

/** Writes every entry to a stream as it comes (the terminal). */
export class StreamSink implements TranscriptSink {
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  write(entry: TranscriptEntry): void {
    this.#stream.write(`${formatEntry(entry)}\n`);
  }
}

/** Appends every entry to a file (`--transcript`), which it starts empty. */
export class FileSink implements TranscriptSink {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
    writeFileSync(path, '');
  }

  write(entry: TranscriptEntry): void {
    appendFileSync(this.#path, `${formatEntry(entry)}\n`);
  }
}
