/**
 * Terminal styling: ANSI SGR codes when color is on, plain text when it is off. Nick colors are a
 * hash of the case-folded nick into a palette, so a nick keeps its color across lines and sessions.
 */
import { nickColorIndex } from './nick-color.js';

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
  return NICK_PALETTE[nickColorIndex(nick, NICK_PALETTE.length)] ?? NICK_PALETTE[0];
}

export interface ColorDecision {
  /** `--no-color` given (commander's `color: false`). */
  flag: boolean;
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
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
