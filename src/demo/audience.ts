/**
 * The clients of a demo as the audience of each step: a line typed by one of them, and the
 * wait, with the step's deadline, until every one shows what it should — counted from a mark
 * taken before the step acted, so that an older line with the same text does not count.
 */
import type { Cast } from './cast.js';
import { clientLines } from './client-lines.js';

/** The cast, and how long any one expected line may take. */
interface Stage {
  cast: Cast;
  timeoutMs: number;
}

/** Types a public message and waits until every one of `audience` shows it. */
export async function sayToAll(stage: Stage, nick: string, text: string, audience: readonly string[]): Promise<void> {
  const marks = marksOf(stage, audience);
  stage.cast.actor(nick).type(text);
  await waitForAll(stage, audience, clientLines.message(nick, text), marks);
}

/** Waits until every one of `nicks` shows a line matching `pattern`, past its mark. */
export async function waitForAll(
  stage: Stage,
  nicks: readonly string[],
  pattern: RegExp,
  marks?: ReadonlyMap<string, number>,
): Promise<void> {
  await Promise.all(nicks.map((nick) => waitFrom(stage, nick, pattern, marks)));
}

/** Waits until `nick` shows a line matching `pattern`, past its mark. */
export async function waitFrom(
  stage: Stage,
  nick: string,
  pattern: RegExp,
  marks?: ReadonlyMap<string, number>,
): Promise<void> {
  await stage.cast.actor(nick).waitFor(pattern, stage.timeoutMs, marks?.get(nick) ?? 0);
}

/** Where each one's output stands now. */
export function marksOf(stage: Stage, nicks: readonly string[]): Map<string, number> {
  return new Map(nicks.map((nick) => [nick, stage.cast.actor(nick).mark()]));
}
