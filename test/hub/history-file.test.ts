import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import test from 'ava';
import { newEpoch, type ChunkWriter, type HistoryFile, type HistoryFileOptions } from '../../src/hub/history-file.js';
import type { PublicEvent } from '../../src/protocol/wire.js';
import {
  deferred,
  event,
  events,
  fileLines,
  openWith,
  range,
  seqs,
  tempDir,
  writeToDisk,
} from '../helpers/history-fixtures.js';

test('newEpoch gives short base36 names that differ', (t) => {
  const a = newEpoch();
  t.regex(a, /^[0-9a-z]{6}$/);
  t.not(a, newEpoch());
});

test('starts a new epoch, creating the data dir, when there is no history', async (t) => {
  const dir = join(await tempDir(t), 'nested', 'data');
  const { file, restored } = await openWith({ dir });
  t.true(restored.fresh);
  t.is(restored.lastSeq, 0);
  t.deepEqual(restored.events, []);
  t.regex(restored.epoch, /^[0-9a-z]+$/);
  await file.close();
  t.deepEqual(await fileLines(dir), [JSON.stringify({ epoch: restored.epoch, version: 1 })]);

  const again = await openWith({ dir });
  t.false(again.restored.fresh);
  t.is(again.restored.epoch, restored.epoch);
  await again.file.close();
});

test('a reopen continues the epoch, the last seq and the last `retain` events in order', async (t) => {
  const dir = await tempDir(t);
  const first = await openWith({ dir, retain: 5 });
  for (const e of events(1, 12)) first.file.append(e);
  await first.file.close();

  const second = await openWith({ dir, retain: 5 });
  t.false(second.restored.fresh);
  t.is(second.restored.epoch, first.restored.epoch);
  t.is(second.restored.lastSeq, 12);
  t.deepEqual(second.restored.events, events(8, 12));
  second.file.append(event(13));
  await second.file.close();

  const third = await openWith({ dir, retain: 5 });
  t.deepEqual(seqs(third.restored.events), range(9, 13));
  t.deepEqual(third.log.messages('warn'), []);
  await third.file.close();
});

test('close flushes what was appended; append after close throws', async (t) => {
  const dir = await tempDir(t);
  const { file } = await openWith({ dir });
  for (const e of events(1, 3)) file.append(e);
  await file.close();
  t.throws(
    () => {
      file.append(event(4));
    },
    { message: /after close/ },
  );
  t.is((await fileLines(dir)).length, 4);
});

test('rejects an append whose seq does not increase', async (t) => {
  const dir = await tempDir(t);
  const { file } = await openWith({ dir });
  file.append(event(5));
  t.throws(
    () => {
      file.append(event(5));
    },
    { instanceOf: RangeError },
  );
  await file.close();
});

test('compaction keeps the last `retain` events, shrinks the file and keeps events appended while it runs', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'history.jsonl');
  // Set once open returns; the writer runs during open too, and must see it unset then.
  let file: HistoryFile | undefined = undefined;
  let sizeBefore = 0;
  const compactionStarted = deferred();
  const writeChunk: ChunkWriter = (handle, chunk, position) => {
    const isSnapshot = position === 0 && chunk.toString('utf8', 0, 9) === '{"epoch":';
    if (file !== undefined && isSnapshot) {
      sizeBefore = statSync(path).size;
      for (const e of events(41, 45)) file.append(e);
      compactionStarted.resolve();
    }
    return writeToDisk(handle, chunk, position);
  };
  const opened = await openWith({ dir, retain: 10, compactAbove: 30, writeChunk });
  file = opened.file;
  for (const e of events(1, 40)) file.append(e);
  await file.flush();
  await compactionStarted.promise;
  await file.flush();
  await file.close();

  t.true(statSync(path).size < sizeBefore);
  t.false(existsSync(`${path}.tmp`));
  const lines = await fileLines(dir);
  t.is(lines.length, 1 + 10 + 5);
  t.deepEqual(
    lines.slice(1).map((line) => (JSON.parse(line) as PublicEvent).seq),
    range(31, 45),
  );
  const reopened = await openWith({ dir, retain: 10, compactAbove: 30 });
  t.is(reopened.restored.epoch, opened.restored.epoch);
  t.is(reopened.restored.lastSeq, 45);
  t.deepEqual(reopened.restored.events, events(36, 45));
  t.regex(opened.log.messages('info').join('\n'), /compacted/);
  await reopened.file.close();
});

test('open compacts a file already past the threshold', async (t) => {
  const dir = await tempDir(t);
  const first = await openWith({ dir, retain: 10, compactAbove: 100 });
  for (const e of events(1, 60)) first.file.append(e);
  await first.file.close();

  const second = await openWith({ dir, retain: 10, compactAbove: 30 });
  t.deepEqual(second.restored.events, events(51, 60));
  t.is((await fileLines(dir)).length, 11);
  second.file.append(event(61));
  await second.file.close();
  const third = await openWith({ dir, retain: 10, compactAbove: 30 });
  t.deepEqual(third.restored.events, events(52, 61));
  await third.file.close();
});

test('appends made in one tick go out in one write', async (t) => {
  const dir = await tempDir(t);
  let writes = 0;
  const { file } = await openWith({
    dir,
    retain: 1000,
    writeChunk: (handle, chunk, position) => {
      writes++;
      return writeToDisk(handle, chunk, position);
    },
  });
  writes = 0;
  for (const e of events(1, 1000)) file.append(e);
  await file.flush();
  t.is(writes, 1);
  await file.close();
  t.is((await fileLines(dir)).length, 1001);
});

test('one write at a time: everything appended during a write goes out in the next single write', async (t) => {
  const dir = await tempDir(t);
  const batches: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  // Writes pass freely until the test closes the gate.
  let gate: Promise<void> | undefined = undefined;
  let firstWriteStarted = deferred();
  const { file } = await openWith({
    dir,
    writeChunk: async (handle, chunk, position) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      firstWriteStarted.resolve();
      try {
        await gate;
        batches.push(chunk.toString().split('\n').length - 1);
        return await writeToDisk(handle, chunk, position);
      } finally {
        inFlight--;
      }
    },
  });
  batches.length = 0;
  firstWriteStarted = deferred();
  const release = deferred();
  gate = release.promise;
  file.append(event(1));
  await firstWriteStarted.promise;
  for (const e of events(2, 50)) {
    file.append(e);
    await nextTick();
  }
  release.resolve();
  await file.flush();
  t.deepEqual(batches, [1, 49]);
  t.is(maxInFlight, 1);
  await file.close();
});

test('open rejects with the path when the data dir or file is unusable', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'blocker'), '');
  const underFile = join(root, 'blocker', 'data');
  await t.throwsAsync(openWith({ dir: underFile }), { message: new RegExp(`data dir ${underFile}`) });

  const fileIsDir = join(root, 'dir-file');
  await mkdir(join(fileIsDir, 'history.jsonl'), { recursive: true });
  await t.throwsAsync(openWith({ dir: fileIsDir }), { message: new RegExp(join(fileIsDir, 'history.jsonl')) });
});

const badOptions: Array<[string, Partial<HistoryFileOptions>, RegExp]> = [
  ['retain of 0', { retain: 0 }, /retain must be a positive integer/],
  ['fractional retain', { retain: 1.5 }, /retain must be a positive integer/],
  ['compactAbove not above retain', { retain: 10, compactAbove: 10 }, /compactAbove must be greater than retain/],
  ['maxPendingBytes of 0', { maxPendingBytes: 0 }, /maxPendingBytes must be a positive integer/],
  ['negative retryDelayMs', { retryDelayMs: -1 }, /retryDelayMs must be a positive integer/],
];
for (const [title, options, message] of badOptions) {
  test(`open rejects ${title}`, async (t) => {
    const dir = await tempDir(t);
    await t.throwsAsync(openWith({ dir, ...options }), { message });
  });
}
