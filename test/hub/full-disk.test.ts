/**
 * The hub, its local state and the real history file on a disk that fills up (the `writeChunk`
 * seam): nothing acknowledged or delivered is lost or renumbered, what was not written is rolled
 * back and refused with UNAVAILABLE, reads go on, LEAVEs wait, and all resumes by itself.
 */
import test, { type ExecutionContext } from 'ava';
import type { Delivery } from '../../src/bus/messages.js';
import { DEFAULT_ADDRESS_LIMITS } from '../../src/hub/address-limits.js';
import { HistoryFile, type ChunkWriter } from '../../src/hub/history-file.js';
import { HistoryRing } from '../../src/hub/history-ring.js';
import { Hub } from '../../src/hub/hub.js';
import { LocalState } from '../../src/hub/local-state.js';
import { deferred, openWith, recordingLogger, seqs, tempDir, writeToDisk } from '../helpers/history-fixtures.js';
import { RecordingBus } from '../helpers/recording-bus.js';

const TIME = Date.parse('2026-11-24T11:09:21.123Z');
const ENOSPC = 'ENOSPC: no space left on device, write';
const UNAVAILABLE = `ERROR UNAVAILABLE history cannot be written: ${ENOSPC}\n`;

/** A disk that fails every write while `full`; `failed` resolves at the first failure. */
function fillableDisk() {
  const disk = { full: false, failed: deferred() };
  const writeChunk: ChunkWriter = async (handle, chunk, position) => {
    if (!disk.full) return writeToDisk(handle, chunk, position);
    disk.failed.resolve();
    throw Object.assign(new Error(ENOSPC), { code: 'ENOSPC' });
  };
  return { disk, writeChunk };
}

/** Frees the disk and waits for the file's probe to find room (it probes every 5 ms here). */
async function freeDisk(disk: { full: boolean }, file: HistoryFile): Promise<void> {
  disk.full = false;
  while (file.outage !== null) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function setup(t: ExecutionContext) {
  const dir = await tempDir(t);
  const { disk, writeChunk } = fillableDisk();
  const log = recordingLogger();
  const { file, restored } = await HistoryFile.open({
    dir,
    retain: 100,
    maxLine: 4096,
    log,
    writeChunk,
    retryDelayMs: 5,
  });
  t.teardown(() => file.close());
  const bus = new RecordingBus([1]);
  const state = new LocalState({
    epoch: restored.epoch,
    lastSeq: restored.lastSeq,
    journal: file,
    log,
    now: () => TIME,
  });
  const hub = new Hub({
    bus,
    history: new HistoryRing(100),
    state,
    maxClients: 100,
    addressLimits: DEFAULT_ADDRESS_LIMITS,
    adminToken: '',
    log,
    now: () => TIME,
  });
  await state.start(hub);
  const handle = (conn: number, request: Record<string, unknown>) => {
    hub.handle(1, { conn, ...request } as Parameters<Hub['handle']>[1]);
  };
  /** What worker 1 got since last asked, once every write under way is through. */
  const take = async (): Promise<Delivery[]> => {
    await file.flush();
    return bus.take(1);
  };
  return { dir, disk, file, hub, log, handle, take };
}

const line = (type: string, seq: number, rest: string) => `${type} ${seq} 2026-11-24T11:09:21.123Z ${rest}\n`;

test('a failed write: its requesters get UNAVAILABLE, a REGISTER frees its nick, nothing reaches a worker, seqs are given again', async (t) => {
  const { dir, disk, file, hub, log, handle, take } = await setup(t);
  handle(1, { type: 'open', address: '192.0.2.1' });
  handle(1, { type: 'register', nick: 'alice' });
  t.deepEqual(await take(), [
    { type: 'enrol', conn: 1 },
    { type: 'all', text: line('JOIN', 1, 'alice'), seq: 1 },
    { type: 'reply', conn: 1, text: 'OK alice\n' },
  ]);

  disk.full = true;
  handle(1, { type: 'msg', text: 'lost' });
  handle(2, { type: 'open', address: '192.0.2.2' });
  handle(2, { type: 'register', nick: 'bob' });
  handle(1, { type: 'nick', nick: 'alicia' });
  await disk.failed.promise;
  t.deepEqual(await take(), [
    { type: 'reply', conn: 1, text: UNAVAILABLE },
    // alice's NICK waited for her MSG's answer, and is refused right after it.
    { type: 'reply', conn: 1, text: UNAVAILABLE },
    { type: 'reply', conn: 2, text: UNAVAILABLE },
  ]);
  t.is(hub.userCount, 1, 'bob is not registered; alice keeps her nick');
  t.is(hub.lastSeq, 1);
  t.regex(log.messages('error').join('\n'), /cannot write .*ENOSPC.*events 2-3 were not written/);

  // The outage: public events are refused at once; reads and DMs go on.
  handle(1, { type: 'msg', text: 'refused' });
  handle(1, { type: 'users' });
  handle(1, { type: 'dm', nick: 'alice', text: 'note to self' });
  const [refused, users, dm, dmOk] = await take();
  t.deepEqual(refused, { type: 'reply', conn: 1, text: UNAVAILABLE });
  t.deepEqual(users, { type: 'reply', conn: 1, text: 'OK 1 alice\n' });
  t.like(dm, { type: 'event', conn: 1 });
  t.deepEqual(dmOk, { type: 'reply', conn: 1, text: 'OK\n' });

  // A LEAVE cannot be refused: the nick is free at once, the LEAVE waits for the disk.
  handle(1, { type: 'close', reason: 'disconnected' });
  t.is(hub.userCount, 0);
  t.deepEqual(await take(), []);

  await freeDisk(disk, file);
  handle(3, { type: 'open', address: '192.0.2.3' });
  handle(3, { type: 'register', nick: 'bob' });
  t.deepEqual(await take(), [
    { type: 'all', text: line('LEAVE', 2, 'alice disconnected'), seq: 2 },
    { type: 'enrol', conn: 3 },
    { type: 'all', text: line('JOIN', 3, 'bob'), seq: 3 },
    { type: 'reply', conn: 3, text: 'OK bob\n' },
  ]);
  t.regex(log.messages('warn').join('\n'), /can be written again/);

  const reopened = await openWith({ dir });
  t.deepEqual(seqs(reopened.restored.events), [1, 2, 3]);
  t.deepEqual(
    reopened.restored.events.map((event) => `${event.type} ${event.nick}`),
    ['JOIN alice', 'LEAVE alice', 'JOIN bob'],
  );
  await reopened.file.close();
});

test('a LEAVE rolled back by a failed write is published once the disk has room, before anything new', async (t) => {
  const { disk, file, handle, take } = await setup(t);
  for (const [conn, nick] of [
    [1, 'alice'],
    [2, 'bob'],
  ] as const) {
    handle(conn, { type: 'open', address: `192.0.2.${conn}` });
    handle(conn, { type: 'register', nick });
  }
  await take();
  disk.full = true;
  handle(1, { type: 'quit', reason: 'bye' });
  await disk.failed.promise;
  t.deepEqual(await take(), [
    { type: 'reply', conn: 1, text: 'OK\n' },
    { type: 'drop', conn: 1, bye: '' },
  ]);
  await freeDisk(disk, file);
  t.deepEqual(await take(), [{ type: 'all', text: line('LEAVE', 3, 'alice quit: bye'), seq: 3 }], 'by itself');
  handle(2, { type: 'msg', text: 'back' });
  t.deepEqual(await take(), [
    { type: 'all', text: line('MSG', 4, 'bob back'), seq: 4 },
    { type: 'reply', conn: 2, text: 'OK 4\n' },
  ]);
});
