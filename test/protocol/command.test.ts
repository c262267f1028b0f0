import test from 'ava';
import { parseCommand, splitVerb, type ParsedCommand } from '../../src/protocol/command.js';

function ok(line: string): unknown {
  const parsed: ParsedCommand = parseCommand(line);
  if (!parsed.ok) throw new Error(`${line}: ${parsed.error.code}`);
  return parsed.command;
}

function code(line: string): string | undefined {
  const parsed = parseCommand(line);
  return parsed.ok ? undefined : parsed.error.code;
}

test('verbs are case-insensitive', (t) => {
  t.deepEqual(ok('register alice'), { verb: 'REGISTER', nick: 'alice' });
  t.deepEqual(ok('Msg hi'), { verb: 'MSG', text: 'hi' });
});

test('NICK takes a nick, as REGISTER does', (t) => {
  t.deepEqual(ok('nick bob'), { verb: 'NICK', nick: 'bob' });
  t.deepEqual(ok('NICK  Bob-2 '), { verb: 'NICK', nick: 'Bob-2' });
});

test('splitVerb takes the first word and keeps the rest as written', (t) => {
  t.deepEqual(splitVerb('MSG  two  spaces '), { verb: 'MSG', args: ' two  spaces ' });
  t.deepEqual(splitVerb('users'), { verb: 'USERS', args: '' });
});

test('MSG keeps its text exactly', (t) => {
  t.deepEqual(ok('MSG hello, world'), { verb: 'MSG', text: 'hello, world' });
  t.deepEqual(ok('MSG \ttabbed'), { verb: 'MSG', text: '\ttabbed' });
});

test('DM takes a nick and the text', (t) => {
  t.deepEqual(ok('DM bob hi there'), { verb: 'DM', nick: 'bob', text: 'hi there' });
});

test('HISTORY takes a count or SINCE and a seq', (t) => {
  t.deepEqual(ok('HISTORY 10'), { verb: 'HISTORY', last: 10 });
  t.deepEqual(ok('history since 42'), { verb: 'HISTORY', since: 42 });
  t.deepEqual(ok('HISTORY 0'), { verb: 'HISTORY', last: 0 });
});

test('optional arguments', (t) => {
  t.deepEqual(ok('PING'), { verb: 'PING', token: '' });
  t.deepEqual(ok('PING abc'), { verb: 'PING', token: 'abc' });
  t.deepEqual(ok('QUIT'), { verb: 'QUIT', reason: '' });
  t.deepEqual(ok('QUIT see you'), { verb: 'QUIT', reason: 'see you' });
  t.deepEqual(ok('KICK bob'), { verb: 'KICK', nick: 'bob', reason: '' });
  t.deepEqual(ok('KICK bob spam'), { verb: 'KICK', nick: 'bob', reason: 'spam' });
  t.deepEqual(ok('PONG whatever'), { verb: 'PONG' });
});

const errors: Array<[string, string]> = [
  ['FOO', 'UNKNOWN_COMMAND'],
  ['', 'UNKNOWN_COMMAND'],
  ['REGISTER', 'BAD_ARGS'],
  ['REGISTER bad!nick', 'BAD_NICK'],
  ['REGISTER two words', 'BAD_NICK'],
  [`REGISTER ${'a'.repeat(25)}`, 'BAD_NICK'],
  ['NICK', 'BAD_ARGS'],
  ['NICK bad!nick', 'BAD_NICK'],
  ['NICK two words', 'BAD_NICK'],
  ['MSG', 'EMPTY'],
  ['MSG    ', 'EMPTY'],
  ['DM', 'BAD_ARGS'],
  ['DM bob', 'EMPTY'],
  ['DM bob   ', 'EMPTY'],
  ['DM b@d hi', 'NO_SUCH_NICK'],
  ['HISTORY', 'BAD_ARGS'],
  ['HISTORY -1', 'BAD_ARGS'],
  ['HISTORY x', 'BAD_ARGS'],
  ['HISTORY SINCE', 'BAD_ARGS'],
  ['HISTORY 1 2', 'BAD_ARGS'],
  ['HISTORY 99999999999999999999', 'BAD_ARGS'],
  ['AUTH', 'BAD_ARGS'],
  ['ANNOUNCE', 'EMPTY'],
  ['KICK', 'BAD_ARGS'],
  ['USERS all', 'BAD_ARGS'],
  ['HELP me', 'BAD_ARGS'],
];

for (const [line, expected] of errors) {
  test(`${JSON.stringify(line)} is ${expected}`, (t) => {
    t.is(code(line), expected);
  });
}
