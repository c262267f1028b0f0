import test from 'ava';
import { parseCommand, splitVerb, type Command, type ParsedCommand } from '../../src/protocol/command.js';

function ok(line: string): unknown {
  const parsed: ParsedCommand = parseCommand(line);
  if (!parsed.ok) throw new Error(`${line}: ${parsed.error.code}`);
  return parsed.command;
}

function code(line: string): string | undefined {
  const parsed = parseCommand(line);
  return parsed.ok ? undefined : parsed.error.code;
}

/** Lines that parse, each with the command it is. */
const commands: Array<[line: string, command: Command]> = [
  // Verbs are case-insensitive.
  ['register alice', { verb: 'REGISTER', nick: 'alice' }],
  ['Msg hi', { verb: 'MSG', text: 'hi' }],
  // NICK takes a nick, as REGISTER does.
  ['nick bob', { verb: 'NICK', nick: 'bob' }],
  ['NICK  Bob-2 ', { verb: 'NICK', nick: 'Bob-2' }],
  // MSG keeps its text exactly.
  ['MSG hello, world', { verb: 'MSG', text: 'hello, world' }],
  ['MSG \ttabbed', { verb: 'MSG', text: '\ttabbed' }],
  // DM takes a nick and the text.
  ['DM bob hi there', { verb: 'DM', nick: 'bob', text: 'hi there' }],
  // HISTORY takes a count or SINCE and a seq.
  ['HISTORY 10', { verb: 'HISTORY', last: 10 }],
  ['history since 42', { verb: 'HISTORY', since: 42 }],
  ['HISTORY 0', { verb: 'HISTORY', last: 0 }],
  // Optional arguments.
  ['PING', { verb: 'PING', token: '' }],
  ['PING abc', { verb: 'PING', token: 'abc' }],
  ['QUIT', { verb: 'QUIT', reason: '' }],
  ['QUIT see you', { verb: 'QUIT', reason: 'see you' }],
  ['KICK bob', { verb: 'KICK', nick: 'bob', reason: '' }],
  ['KICK bob spam', { verb: 'KICK', nick: 'bob', reason: 'spam' }],
  ['PONG whatever', { verb: 'PONG' }],
];

for (const [line, command] of commands) {
  test(`${JSON.stringify(line)} parses`, (t) => {
    t.deepEqual(ok(line), command);
  });
}

test('splitVerb takes the first word and keeps the rest as written', (t) => {
  t.deepEqual(splitVerb('MSG  two  spaces '), { verb: 'MSG', args: ' two  spaces ' });
  t.deepEqual(splitVerb('users'), { verb: 'USERS', args: '' });
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
  // Case-insensitive in ASCII only: U+0131 and U+017F upper-case to I and S in Unicode.
  ['p\u0131ng', 'UNKNOWN_COMMAND'],
  ['u\u017Fers', 'UNKNOWN_COMMAND'],
  ['reg\u0131ster bob', 'UNKNOWN_COMMAND'],
  ['HISTORY \u017Fince 0', 'BAD_ARGS'],
];

for (const [line, expected] of errors) {
  test(`${JSON.stringify(line)} is ${expected}`, (t) => {
    t.is(code(line), expected);
  });
}
