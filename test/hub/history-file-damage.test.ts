/** A history file damaged by a crash or by hand: what is skipped, kept or moved aside. */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { PublicEvent } from '../../src/protocol/wire.js';
import { event, events, openWith, seqs, tempDir } from '../helpers/history-fixtures.js';

test('skips a torn last line with a warning, and the next append starts on its own line', async (t) => {
  const dir = await tempDir(t);
  const first = await openWith({ dir });
  for (const e of events(1, 3)) first.file.append(e);
  await first.file.close();
  await appendFile(join(dir, 'history.jsonl'), '{"seq":4,"time":"2026-11-');

  const second = await openWith({ dir });
  t.is(second.restored.lastSeq, 3);
  t.is(second.restored.epoch, first.restored.epoch);
  t.deepEqual(second.log.messages('warn').length, 1);
  t.regex(second.log.messages('warn')[0] ?? '', /torn last line/);
  second.file.append(event(4));
  second.file.append(event(5));
  await second.file.close();

  const third = await openWith({ dir });
  t.deepEqual(third.restored.events, events(1, 5));
  t.deepEqual(third.log.messages('warn'), []);
  await third.file.close();
});

const record = (e: PublicEvent) => JSON.stringify(e);

async function writeHistory(dir: string, lines: string[]): Promise<void> {
  await writeFile(join(dir, 'history.jsonl'), `${lines.join('\n')}\n`);
}

test('skips malformed lines in the middle, each with a warning; the seq may skip as many', async (t) => {
  const dir = await tempDir(t);
  await writeHistory(dir, [
    '{"epoch":"abc123","version":1}',
    record(event(1)),
    'not json at all',
    record(event(3)),
    JSON.stringify({ ...event(4), type: 'SHOUT' }),
    record(event(5)),
  ]);
  const { file, restored, log } = await openWith({ dir });
  t.is(restored.epoch, 'abc123');
  t.false(restored.fresh);
  t.is(restored.lastSeq, 5);
  t.deepEqual(restored.events, [event(1), event(3), event(5)]);
  const [first, second, ...others] = log.messages('warn');
  t.regex(first ?? '', /line 3 .*not UTF-8 JSON/);
  t.regex(second ?? '', /line 5 .*not an event record/);
  t.deepEqual(others, []);
  await file.close();
});

test('events no client could have sent are skipped: control characters, bad nicks, over the line limit', async (t) => {
  const dir = await tempDir(t);
  const bad: Array<[PublicEvent, RegExp]> = [
    [{ ...event(2), text: 'clear \u001b[2J screen' }, /control characters/],
    [{ ...event(3), text: 'lone \ud800 surrogate' }, /control characters/],
    [{ ...event(4), nick: 'bad nick!' }, /nick/],
    [{ ...event(5), type: 'ANNOUNCE' }, /nick/],
    [{ ...event(6), text: 'x'.repeat(101) }, /longer than the line limit \(100 bytes\)/],
    [{ ...event(7), type: 'JOIN' }, /JOIN with bad text/],
    [{ ...event(8), text: '  ' }, /MSG with bad text/],
  ];
  await writeHistory(dir, [
    '{"epoch":"abc123","version":1}',
    record(event(1)),
    ...bad.map(([e]) => record(e)),
    record(event(9)),
  ]);
  const { file, restored, log } = await openWith({ dir, maxLine: 100 });
  t.deepEqual(restored.events, [event(1), event(9)]);
  const warnings = log.messages('warn');
  t.is(warnings.length, bad.length);
  for (const [i, [, reason]] of bad.entries()) t.regex(warnings[i] ?? '', reason);
  await file.close();
});

test('lines skipped after the last good event keep their seqs: a reopen never gives one of them again', async (t) => {
  const dir = await tempDir(t);
  await writeHistory(dir, [
    '{"epoch":"abc123","version":1}',
    record(event(1)),
    record(event(2)),
    record({ ...event(3), text: 'clear \u001b[2J screen' }),
    record({ ...event(4), nick: 'bad nick!' }),
  ]);
  const first = await openWith({ dir });
  t.false(first.restored.fresh);
  t.is(first.restored.epoch, 'abc123');
  t.deepEqual(first.restored.events, [event(1), event(2)]);
  t.is(first.restored.lastSeq, 4);
  first.file.append(event(5));
  await first.file.close();

  const second = await openWith({ dir });
  t.is(second.restored.epoch, 'abc123');
  t.is(second.restored.lastSeq, 5);
  t.deepEqual(second.restored.events, [event(1), event(2), event(5)]);
  await second.file.close();
});

const damagedFiles: Array<[string, number[], number[]]> = [
  ['a jump to 2^53 - 1', [1, 2, 2 ** 53 - 1, 2 ** 53 - 1 + 1], [1, 2]],
  ['a jump to 2^53', [1, 2, 2 ** 53], [1, 2]],
  ['a jump past the lines skipped', [1, 2, 5, 6], [1, 2]],
  ['a seq repeated', [1, 2, 2, 3], [1, 2]],
  ['a seq going backwards', [1, 2, 3, 1], [1, 2, 3]],
  ['a first seq beyond 2^48', [2 ** 48 + 1], []],
];
for (const [title, written, kept] of damagedFiles) {
  test(`${title} is damage: the file is moved aside, the events before it kept under a new epoch`, async (t) => {
    const dir = await tempDir(t);
    const lines = ['{"epoch":"abc123","version":1}', ...written.map((seq) => record(event(seq)))];
    await writeHistory(dir, lines);
    const { file, restored, log } = await openWith({ dir });
    t.true(restored.fresh);
    t.not(restored.epoch, 'abc123');
    t.deepEqual(seqs(restored.events), kept);
    t.is(restored.lastSeq, kept.at(-1) ?? 0);
    t.regex(
      log.messages('error').join('\n'),
      /is damaged \(line \d+ holds seq \d+, impossible after seq \d+\).*history\.jsonl\.damaged/,
    );
    t.is(await readFile(join(dir, 'history.jsonl.damaged'), 'utf8'), `${lines.join('\n')}\n`);
    file.append(event(restored.lastSeq + 1));
    await file.close();

    const reopened = await openWith({ dir });
    t.false(reopened.restored.fresh);
    t.is(reopened.restored.epoch, restored.epoch);
    t.deepEqual(seqs(reopened.restored.events), [...kept, restored.lastSeq + 1]);
    await reopened.file.close();
  });
}

test('moves a file without a valid header aside and starts a new epoch', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'history.jsonl'), 'hello\nworld\n');
  const { file, restored, log } = await openWith({ dir });
  t.true(restored.fresh);
  t.is(restored.lastSeq, 0);
  t.regex(log.messages('warn').join('\n'), /no valid header/);
  t.is(await readFile(join(dir, 'history.jsonl.unusable'), 'utf8'), 'hello\nworld\n');
  await file.close();
});
