/**
 * The demo for a live audience: a tmux session with one pane per process, each following that
 * process's output as the demo runs, and a narrator pane with the headlines and verdicts.
 *
 * The processes themselves stay children of the demo (it must type into them, watch them and
 * kill them); each pane runs `tail -F` on a file the demo appends that process's lines to, so a
 * pane shows exactly what its process printed, as it prints it.
 *
 *   ┌ demo ───────┬ server ──────────────────────────┐
 *   │ == Step 1 … │ listening on 127.0.0.1:…         │
 *   │ ✓ …         ├ alice ─────────┬ bob ────────────┤
 *   │             │                │                 │
 *   │             ├ carol ─────────┼ dave ───────────┤
 *   └─────────────┴────────────────┴─────────────────┘
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatEntry, type TranscriptEntry, type TranscriptSink } from './transcript.js';

export interface TmuxStageOptions {
  session: string;
  /** The server first, then the clients. */
  actors: readonly string[];
  width: number;
  height: number;
}

const NARRATOR = 'demo';
const NARRATOR_WIDTH = 64;

export function tmuxAvailable(): boolean {
  const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', args, { encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`tmux ${args[0]}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Breaks `text` between words into lines of at most `width` characters; later lines get `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export class TmuxStage implements TranscriptSink {
  readonly session: string;
  readonly #dir: string;
  #closed = false;

  private constructor(session: string, dir: string) {
    this.session = session;
    this.#dir = dir;
  }

  /** Creates the detached session and its panes. Throws if tmux fails (e.g. the session name is taken). */
  static open(options: TmuxStageOptions): TmuxStage {
    const { session, actors, width, height } = options;
    const hasSession = spawnSync('tmux', ['has-session', '-t', `=${session}`], { stdio: 'ignore' });
    if (hasSession.status === 0) {
      throw new Error(
        `a tmux session named ${session} exists already: end it (tmux kill-session -t ${session}) or pick another with --session`,
      );
    }
    const stage = new TmuxStage(session, mkdtempSync(join(tmpdir(), 'clusterchat-demo-')));
    for (const name of [NARRATOR, ...actors]) writeFileSync(stage.#file(name), '');
    try {
      stage.#layOut(actors, width, height);
    } catch (error) {
      stage.close();
      throw error;
    }
    return stage;
  }

  write(entry: TranscriptEntry): void {
    if (this.#closed) return;
    switch (entry.kind) {
      case 'output':
        appendFileSync(this.#file(entry.who), `${entry.text}\n`);
        return;
      case 'input':
        appendFileSync(this.#file(entry.who), `> ${entry.text}\n`);
        return;
      case 'headline':
        appendFileSync(this.#file(NARRATOR), `\n${wrap(`== ${entry.text}`, NARRATOR_WIDTH - 1, '   ')}\n`);
        return;
      case 'verdict':
        // The pane is narrow and says who speaks in its title: no "[demo]" label here.
        appendFileSync(
          this.#file(NARRATOR),
          `${wrap(formatEntry(entry).replace(/^\[demo\]\s*/, ''), NARRATOR_WIDTH - 1, '  ')}\n`,
        );
        return;
    }
  }

  /** Puts this terminal in the session; resolves when the viewer leaves (detach, or the session ends). */
  attach(): Promise<void> {
    const env = { ...process.env };
    // Inside tmux already: nest rather than refuse.
    delete env.TMUX;
    const viewer = spawn('tmux', ['attach-session', '-t', `=${this.session}`], { stdio: 'inherit', env });
    return new Promise((resolve) => {
      viewer.once('exit', () => {
        resolve();
      });
      viewer.once('error', () => {
        resolve();
      });
    });
  }

  /** Ends the session (only ours, by its exact name) and removes the pane files. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    spawnSync('tmux', ['kill-session', '-t', `=${this.session}`], { stdio: 'ignore' });
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #file(name: string): string {
    return join(this.#dir, `${name}.log`);
  }

  #follow(name: string): string {
    return `tail -n +1 -F ${quote(this.#file(name))}`;
  }

  #layOut(actors: readonly string[], width: number, height: number): void {
    const [server, ...clients] = actors;
    const session = this.session;
    const narrator = tmux(
      'new-session',
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      '-s',
      session,
      '-x',
      String(width),
      '-y',
      String(height),
      this.#follow(NARRATOR),
    );
    tmux('set-option', '-t', session, 'status', 'off');
    tmux('set-option', '-w', '-t', session, 'pane-border-status', 'top');
    tmux('set-option', '-w', '-t', session, 'pane-border-format', ' #{pane_title} ');
    tmux('select-pane', '-t', narrator, '-T', NARRATOR);
    const right = width - NARRATOR_WIDTH - 1;
    const top = this.#split(narrator, '-h', right, server ?? 'server');
    // One row per pair of clients, split off the server pane from the bottom up: first the left
    // column at full width, then each row's second client beside it.
    const firsts = clients.filter((_, i) => i % 2 === 0);
    const rows = firsts.length;
    const clientHeight = Math.floor((height * 2) / 3);
    const firstColumn: string[] = [];
    let above = top;
    for (const [row, first] of firsts.entries()) {
      const rowHeight = row === 0 ? clientHeight : Math.floor((clientHeight * (rows - row)) / (rows - row + 1));
      above = this.#split(above, '-v', rowHeight, first);
      firstColumn.push(above);
    }
    for (const [row, pane] of firstColumn.entries()) {
      const second = clients[row * 2 + 1];
      if (second !== undefined) this.#split(pane, '-h', Math.floor(right / 2), second);
    }
  }

  #split(target: string, direction: '-h' | '-v', size: number, name: string): string {
    const pane = tmux(
      'split-window',
      direction,
      '-d',
      '-P',
      '-F',
      '#{pane_id}',
      '-t',
      target,
      '-l',
      String(size),
      this.#follow(name),
    );
    tmux('select-pane', '-t', pane, '-T', name);
    return pane;
  }
}
