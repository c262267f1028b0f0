/**
 * The history file's writes: a positional write repeated until all of it is written, and the
 * atomic snapshot (creation, compaction) that writes the file anew.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PublicEvent } from '../protocol/wire.js';
import { encodeEvent, encodeHeader } from './history-format.js';

const SNAPSHOT_CHUNK_CHARS = 1024 * 1024;

/** Performs one positional write and returns how many bytes it wrote. */
export type ChunkWriter = (handle: FileHandle, chunk: Buffer, position: number) => Promise<number>;

export const writeToHandle: ChunkWriter = async (handle, chunk, position) =>
  (await handle.write(chunk, 0, chunk.length, position)).bytesWritten;

export async function writeAll(
  writeChunk: ChunkWriter,
  handle: FileHandle,
  data: Buffer,
  position: number,
): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const written = await writeChunk(handle, data.subarray(offset), position + offset);
    if (written <= 0) throw new Error(`wrote ${written} bytes`);
    offset += written;
  }
}

/**
 * Writes `path` anew with the header and `events`, atomically: into a temp file, fsynced, then
 * renamed over `path`. Returns the new file's handle, open for appending at `size`.
 */
export async function writeSnapshot(
  path: string,
  epoch: string,
  events: PublicEvent[],
  writeChunk: ChunkWriter,
): Promise<{ handle: FileHandle; size: number }> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  let size = 0;
  try {
    let text = encodeHeader(epoch);
    for (const event of events) {
      text += encodeEvent(event);
      if (text.length >= SNAPSHOT_CHUNK_CHARS) {
        const chunk = Buffer.from(text);
        await writeAll(writeChunk, handle, chunk, size);
        size += chunk.length;
        text = '';
      }
    }
    const chunk = Buffer.from(text);
    await writeAll(writeChunk, handle, chunk, size);
    size += chunk.length;
    // Without the fsync a power loss could leave the rename done but the data not.
    await handle.datasync();
    await rename(temporary, path);
  } catch (error) {
    // The original error is the one worth reporting; the cleanup is best effort.
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
  return { handle, size };
}

/** Makes a rename durable. Best effort: not every platform can open or fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (handle === null) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
