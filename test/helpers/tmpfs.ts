/**
 * A real tiny disk for the full-disk tests: a tmpfs of a few hundred KiB mounted in a temporary
 * directory (root only, Linux). Tests that need it are declared with `tmpfsTest`, which skips
 * them — with one line saying why — where mounting is not permitted; the seam-based tests of the
 * same behaviour (test/hub/full-disk.test.ts) run everywhere.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Owner } from './server.js';

function mount(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
}

function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'ignore' });
}

function canMount(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'clusterchat-tmpfs-probe-'));
  try {
    mount(dir, '64k');
    unmount(dir);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MOUNTABLE = canMount();

if (!MOUNTABLE) console.log('cannot mount a tmpfs here (root on Linux needed): skipping the real full-disk tests');

/** `test`, or `test.skip` where no tmpfs can be mounted. */
export const tmpfsTest = MOUNTABLE ? test : test.skip;

/** Mounts a tmpfs of `size` (e.g. '256k') in a new directory; the owner's teardown removes it. */
export function tinyDisk(t: Owner, size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'clusterchat-tmpfs-'));
  mount(dir, size);
  t.teardown(() => {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the disk under `dir` with another file, to the last byte. */
export function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeSync(fd, block);
  } catch {
    // ENOSPC: full.
  } finally {
    closeSync(fd);
  }
  return path;
}
