/** The log lines' form, the level floor, and a worker's lines forwarded to the primary. */
import test from 'ava';
import { createLogger, forwardingLogger, plural, type LogLevel } from '../src/log.js';

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

test('a line is "<time> [<level>] <source>: <message>"; lines below the floor are dropped', (t) => {
  const lines: string[] = [];
  const log = createLogger('primary', 'info', (line) => lines.push(line));
  log.info('listening');
  log.debug('not shown');
  t.is(lines.length, 1);
  t.regex(lines[0] ?? '', STAMP);
  t.is((lines[0] ?? '').replace(STAMP, ''), '[info] primary: listening\n');
});

test('a worker forwards its lines, without a time, at or above the floor; what is refused it writes itself', (t) => {
  const forwarded: Array<[LogLevel, string]> = [];
  const written: string[] = [];
  let primary = true;
  const log = forwardingLogger(
    'worker 2',
    'info',
    (level, text) => {
      if (primary) forwarded.push([level, text]);
      return primary;
    },
    (line) => written.push(line),
  );
  log.info('connection 1 from 127.0.0.1:5000');
  log.debug('not forwarded: below the floor');
  t.deepEqual(forwarded, [['info', 'connection 1 from 127.0.0.1:5000']]);
  t.deepEqual(written, []);
  primary = false;
  log.warn('lost the primary');
  t.deepEqual(
    written.map((line) => line.replace(STAMP, '')),
    ['[warn] worker 2: lost the primary\n'],
  );
});

test('counts read as sentences', (t) => {
  t.is(plural(1, 'connection'), '1 connection');
  t.is(plural(0, 'connection'), '0 connections');
  t.is(plural(3, 'event'), '3 events');
});
