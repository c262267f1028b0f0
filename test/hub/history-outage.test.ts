/**
 * The history file when the disk fails it (through the `writeChunk` seam): a failed write is an
 * outage, its events and every one queued after it are rolled back, a probe finds room again.
 */
import test from 'ava';
import type { EventLogListener } from '../../src/hub/event-log.js';
import type { ChunkWriter } from '../../src/hub/history-file.js';
import { deferred, event, events, openWith, seqs, tempDir, writeToDisk } from '../helpers/history-fixtures.js';

const ENOSPC = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A disk that fails while `full`, after writing half of what it is given. */
function fillableDisk() {
  const disk = { full: false, writes: 0 };
  const writeChunk: ChunkWriter = async (handle, chunk, position) => {
    disk.writes++;
    if (!disk.full) return writeToDisk(handle, chunk, position);
    await writeToDisk(handle, chunk.subarray(0, chunk.length >> 1), position);
    throw ENOSPC();
  };
  return { disk, writeChunk };
}

/** A listener that records what it hears, and lets a test await the next of each. */
function recordingListener() {
  const heard: string[] = [];
  let next = deferred<string>();
  const note = (what: string) => {
    heard.push(what);
    next.resolve(what);
    next = deferred<string>();
  };
  const listener: EventLogListener = {
    written: (seq) => {
      note(`written ${seq}`);
    },
    failed: (writtenSeq, reason) => {
      note(`failed ${writtenSeq}: ${reason}`);
    },
    recovered: () => {
      note('recovered');
    },
  };
  return { heard, listener, next: () => next.promise };
}

test('the listener hears each write, with the last seq it carried', async (t) => {
  const { file } = await openWith({ dir: await tempDir(t) });
  const { heard, listener } = recordingListener();
  file.listen(listener);
  for (const e of events(1, 3)) file.append(e);
  await file.flush();
  file.append(event(4));
  await file.flush();
  t.deepEqual(heard, ['written 3', 'written 4']);
  await file.close();
});

test('a failed write rolls back its events and every one queued after it; its partial bytes do not stay', async (t) => {
  const dir = await tempDir(t);
  const { disk, writeChunk } = fillableDisk();
  const { file, log } = await openWith({ dir, writeChunk, retryDelayMs: 60_000 });
  const { heard, listener } = recordingListener();
  file.listen(listener);
  for (const e of events(1, 3)) file.append(e);
  await file.flush();

  disk.full = true;
  file.append(event(4));
  file.append(event(5));
  await file.flush();
  t.deepEqual(heard, ['written 3', 'failed 3: ENOSPC: no space left on device, write']);
  t.is(file.outage, 'ENOSPC: no space left on device, write');
  t.throws(
    () => {
      file.append(event(4));
    },
    { message: /during an outage/ },
  );
  const [error, ...others] = log.messages('error');
  t.regex(error ?? '', /cannot write .*ENOSPC.*events 4-5 were not written and rolled back/);
  t.deepEqual(others, []);
  await file.close();

  const reopened = await openWith({ dir });
  t.deepEqual(seqs(reopened.restored.events), [1, 2, 3], 'the half-written event 4 is gone');
  t.deepEqual(reopened.log.messages('warn'), [], 'no torn line left behind');
  await reopened.file.close();
});

test('every retryDelayMs a probe looks for room; once there is, the listener hears recovered and seqs go on', async (t) => {
  const dir = await tempDir(t);
  const { disk, writeChunk } = fillableDisk();
  const { file, log } = await openWith({ dir, writeChunk, retryDelayMs: 5 });
  const { heard, listener, next } = recordingListener();
  file.listen(listener);
  disk.full = true;
  file.append(event(1));
  t.regex(await next(), /^failed 0: ENOSPC/);
  const writesBefore = disk.writes;
  while (disk.writes < writesBefore + 3) await new Promise((resolve) => setTimeout(resolve, 5));
  t.is(file.outage, 'ENOSPC: no space left on device, write', 'probes fail while the disk is full');
  disk.full = false;
  // Polled: the probe's timer is unref'd (it must not hold a stopping server), so it alone would
  // not keep this test's process busy.
  while (file.outage !== null) await new Promise((resolve) => setTimeout(resolve, 5));
  t.is(heard.at(-1), 'recovered');
  t.is(log.messages('error').length, 1, 'one error per outage');
  t.regex(log.messages('warn').join('\n'), /can be written again/);
  file.append(event(1));
  file.append(event(2));
  await file.flush();
  t.is(heard.at(-1), 'written 2');
  await file.close();
  const reopened = await openWith({ dir });
  t.deepEqual(seqs(reopened.restored.events), [1, 2]);
  t.deepEqual(reopened.log.messages('warn'), [], 'the probes left nothing behind');
  await reopened.file.close();
});

test('past maxPendingBytes behind a slow write the file is stalled, and nothing is dropped', async (t) => {
  const dir = await tempDir(t);
  const release = deferred();
  let held = false;
  let writeStarted = deferred();
  const { file } = await openWith({
    dir,
    maxPendingBytes: 1000,
    writeChunk: async (handle, chunk, position) => {
      writeStarted.resolve();
      if (held) await release.promise;
      return writeToDisk(handle, chunk, position);
    },
  });
  writeStarted = deferred();
  held = true;
  file.append(event(1));
  await writeStarted.promise;
  t.false(file.stalled);
  for (const e of events(2, 100)) file.append(e);
  t.true(file.stalled);
  release.resolve();
  await file.flush();
  t.false(file.stalled);
  await file.close();
  const reopened = await openWith({ dir });
  t.deepEqual(seqs(reopened.restored.events), seqs(events(1, 100)));
  await reopened.file.close();
});
