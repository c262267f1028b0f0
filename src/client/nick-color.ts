/**
 * A nick's colour, the same in every client (the console's ANSI palette, the web client's hues):
 * a hash of the case-folded nick, so a nick keeps its colour across lines, sessions and clients.
 */
import { nickKey } from '../protocol/nick.js';

/** An index in [0, paletteSize): FNV-1a, tiny, stable across runs and engines, spreads short strings well. */
export function nickColorIndex(nick: string, paletteSize: number): number {
  let hash = 0x811c9dc5;
  // Nicks are ASCII (the nick rule), so UTF-16 units are their characters.
  const key = nickKey(nick);
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % paletteSize;
}
