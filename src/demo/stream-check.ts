/**
 * The ordering guarantee, checked on screens: from a common starting line on, the public events
 * (messages, joins, leaves, announcements) that different clients printed must be the same lines
 * in the same order. Timestamps are the server's event times, so equal events print equal lines.
 */
import type { Actor } from './actor.js';
import { clientLines } from './client-lines.js';

export type StreamComparison =
  { same: true; length: number } | { same: false; explanation: string; evidence: string[] };

function publicStream(actor: Actor, start: RegExp): string[] | undefined {
  const first = actor.indexOf(start);
  if (first === -1) return undefined;
  return actor.lines.slice(first).filter((line) => clientLines.publicEvent.test(line));
}

export function samePublicStream(actors: readonly Actor[], start: RegExp): StreamComparison {
  const [reference, ...others] = actors;
  if (reference === undefined) return { same: true, length: 0 };
  const expected = publicStream(reference, start);
  if (expected === undefined) return missingStart(reference, start);
  for (const actor of others) {
    const stream = publicStream(actor, start);
    if (stream === undefined) return missingStart(actor, start);
    const length = Math.max(stream.length, expected.length);
    for (let i = 0; i < length; i++) {
      if (stream[i] === expected[i]) continue;
      return {
        same: false,
        explanation: `expected ${actor.name} to show the same public events as ${reference.name}; they differ at event ${i + 1}`,
        evidence: [`[${reference.name}] ${expected[i] ?? '(nothing)'}`, `[${actor.name}] ${stream[i] ?? '(nothing)'}`],
      };
    }
  }
  return { same: true, length: expected.length };
}

function missingStart(actor: Actor, start: RegExp): StreamComparison {
  return { same: false, explanation: `expected ${actor.name} to have printed a line matching ${start}`, evidence: [] };
}
