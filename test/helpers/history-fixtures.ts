/** Fixtures for the history file's tests: temp dirs, events, a recording logger, a disk seam. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { HistoryFile, type ChunkWriter, type HistoryFileOptions } from '../../src/hub/history-file.js';
import type { Logger } from '../../src/log.js';
import type { PublicEvent } from '../../src/protocol/wire.js';
type Level = keyof Logger;

interface RecordingLogger extends Logger {
  messages(level: Level): string[];
}

export function recordingLogger(): RecordingLogger {
  const entries: Array<{ level: Level; message: string }> = [];
  const at = (level: Level) => (message: string) => {
    entries.push({ level, message });
  };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    messages: (level) => entries.filter((entry) => entry.level === level).map((entry) => entry.message),
  };
}

export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'clusterchat-history-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function event(seq: number): PublicEvent {
  return {
    type: 'MSG',
    seq,
    time: new Date(Date.UTC(2026, 10, 24, 11, 0, 0, seq % 1_000_000)).toISOString(),
    nick: 'alice',
    text: `message ${seq}`,
  };
}

export function events(from: number, to: number): PublicEvent[] {
  return Array.from({ length: to - from + 1 }, (_, i) => event(from + i));
}

export function seqs(list: PublicEvent[]): number[] {
  return list.map((e) => e.seq);
}

export function range(from: number, to: number): number[] {
  return seqs(events(from, to));
}

export async function fileLines(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'history.jsonl'), 'utf8');
  return text.split('\n').slice(0, -1);
}

export const writeToDisk: ChunkWriter = async (handle, chunk, position) =>
  (await handle.write(chunk, 0, chunk.length, position)).bytesWritten;

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export async function openWith(options: Partial<HistoryFileOptions> & { dir: string }) {
  const log = recordingLogger();
  const opened = await HistoryFile.open({ retain: 100, maxLine: 4096, log, ...options });
  return { ...opened, log };
}
