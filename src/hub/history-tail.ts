/**
 * The open history file as its writer sees it: where its last whole line ends, appends there,
 * and the bytes a failed write may have left past that point, which are truncated away before
 * anything else is written (a restart would otherwise read events nobody was told of).
 */
import type { FileHandle } from 'node:fs/promises';
import { writeAll, type ChunkWriter } from './history-write.js';

export class HistoryTail {
  readonly #writeChunk: ChunkWriter;
  #handle: FileHandle;
  /** Where the file's last whole line ends: the next write goes there. */
  #size: number;
  /** A failed write may have left bytes past #size; they go before the next write. */
  #dirty = false;

  constructor(handle: FileHandle, size: number, writeChunk: ChunkWriter) {
    this.#handle = handle;
    this.#size = size;
    this.#writeChunk = writeChunk;
  }

  get size(): number {
    return this.#size;
  }

  /** Writes `data` after the last whole line; a failure leaves the tail to be cut by `truncate`. */
  async append(data: Buffer): Promise<void> {
    await this.#writePastEnd(data);
    this.#dirty = false;
    this.#size += data.length;
  }

  /** Cuts what a failed write left past the last whole line. */
  async truncate(): Promise<void> {
    if (!this.#dirty) return;
    await this.#handle.truncate(this.#size);
    this.#dirty = false;
  }

  /** Writes `bytes` past the end and truncates them away: rejects while the disk cannot take them. */
  async probe(bytes: Buffer): Promise<void> {
    await this.#writePastEnd(bytes);
    await this.truncate();
  }

  /** Appends go to `handle` from now on (a compacted file of `size` bytes); returns the old one. */
  replace(handle: FileHandle, size: number): FileHandle {
    const old = this.#handle;
    this.#handle = handle;
    this.#size = size;
    this.#dirty = false;
    return old;
  }

  /** Writes `bytes` after the last whole line, which stays where it is: until told, they may be torn. */
  async #writePastEnd(bytes: Buffer): Promise<void> {
    await this.truncate();
    this.#dirty = true;
    await writeAll(this.#writeChunk, this.#handle, bytes, this.#size);
  }

  sync(): Promise<void> {
    return this.#handle.datasync();
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}
