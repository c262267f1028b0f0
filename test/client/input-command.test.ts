import test from 'ava';
import { DEFAULT_HISTORY_COUNT, parseInput, type InputCommand } from '../../src/client/input-command.js';

/** Lines the user may type, with what each one means. */
const commands: Array<[line: string, expected: InputCommand]> = [
  ['hello, world', { kind: 'message', text: 'hello, world' }],
  ['  indented text', { kind: 'message', text: '  indented text' }],
  ['//not a command', { kind: 'message', text: '/not a command' }],
  ['', { kind: 'empty' }],
  ['   ', { kind: 'empty' }],
  ['/msg bob hi there', { kind: 'dm', nick: 'bob', text: 'hi there' }],
  ['/MSG bob hi', { kind: 'dm', nick: 'bob', text: 'hi' }],
  ['/nick bob', { kind: 'nick', nick: 'bob' }],
  ['/NICK  Bob_2 ', { kind: 'nick', nick: 'Bob_2' }],
  ['/users', { kind: 'users' }],
  ['/history', { kind: 'history', count: DEFAULT_HISTORY_COUNT }],
  ['/history 5', { kind: 'history', count: 5 }],
  ['/auth s3cret', { kind: 'auth', token: 's3cret' }],
  ['/announce maintenance at noon', { kind: 'announce', text: 'maintenance at noon' }],
  ['/kick bob', { kind: 'kick', nick: 'bob', reason: '' }],
  ['/kick bob too loud', { kind: 'kick', nick: 'bob', reason: 'too loud' }],
  ['/quit', { kind: 'quit', reason: '' }],
  ['/quit see you', { kind: 'quit', reason: 'see you' }],
  ['/help', { kind: 'help' }],
];

/** Lines that send nothing, with the hint that tells the user why (an `invalid` input). */
const refused: Array<[line: string, hint: string]> = [
  ['/msg bob', 'usage: /msg <nick> <text>'],
  ['/msg', 'usage: /msg <nick> <text>'],
  ['/msg b@d hi', 'not a nick: b@d'],
  ['/nick', 'usage: /nick <nick>'],
  ['/nick b@d', 'not a nick: b@d (a nick is 1 to 24 characters: letters A-Z a-z, digits 0-9, "_" or "-")'],
  ['/history five', 'usage: /history [n], n a whole number'],
  ['/history -1', 'usage: /history [n], n a whole number'],
  ['/auth', 'usage: /auth <token>'],
  ['/announce   ', 'usage: /announce <text>'],
  ['/kick', 'usage: /kick <nick> [reason]'],
  ['/frobnicate now', 'unknown command /frobnicate (try /help)'],
  ['/', 'unknown command / (try /help)'],
];

for (const [line, expected] of commands) {
  test(`parses ${JSON.stringify(line)}`, (t) => {
    t.deepEqual(parseInput(line), expected);
  });
}

for (const [line, hint] of refused) {
  test(`refuses ${JSON.stringify(line)}`, (t) => {
    t.deepEqual(parseInput(line), { kind: 'invalid', hint });
  });
}
