/**
 * Terminal styling: ANSI SGR codes when color is on, plain text when it is off. Nick colors are a
 * hash of the case-folded nick into a palette, so a nick keeps its color across lines and sessions.
 */
import { nickKey } from '../protocol/index.js';

export interface Style {
  readonly enabled: boolean;
  dim(text: string): string;
  bold(text: string): string;
  error(text: string): string;
  dm(text: string): string;
  announce(text: string): string;
  nick(nick: string, text?: string): string;
}

/** Readable on dark and light backgrounds; no blue-on-black, no white. */
const NICK_PALETTE = [31, 32, 33, 35, 36, 91, 92, 93, 94, 95, 96] as const;

export function nickColor(nick: string): number {
  // FNV-1a: tiny, stable across runs and Node versions, spreads short strings well.
  let hash = 0x811c9dc5;
  // Nicks are ASCII (the nick rule), so UTF-16 units are their characters.
  const key = nickKey(nick);
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NICK_PALETTE[hash % NICK_PALETTE.length] ?? NICK_PALETTE[0];
}

export interface ColorDecision {
  /** `--no-color` given (commander's `color: false`). */
  flag: boolean;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** Color only on a terminal, never with `--no-color`, never when `NO_COLOR` is set to anything non-empty. */
export function shouldUseColor({ flag, isTTY, env }: ColorDecision): boolean {
  if (!flag || !isTTY) return false;
  return env.NO_COLOR === undefined || env.NO_COLOR === '';
}

export function createStyle(enabled: boolean): Style {
  const sgr = (code: number) => (text: string) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    enabled,
    dim: sgr(2),
    bold: sgr(1),
    error: sgr(31),
    dm: sgr(35),
    announce: (text) => (enabled ? `\x1b[1;33m${text}\x1b[0m` : text),
    nick: (nick, text = nick) => sgr(nickColor(nick))(text),
  };
}
