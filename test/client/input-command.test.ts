import test from 'ava';
import { DEFAULT_HISTORY_COUNT, parseInput, type InputCommand } from '../../src/client/input-command.js';

const table: Array<[line: string, expected: InputCommand]> = [
  ['hello, world', { kind: 'message', text: 'hello, world' }],
  ['  indented text', { kind: 'message', text: '  indented text' }],
  ['//not a command', { kind: 'message', text: '/not a command' }],
  ['', { kind: 'empty' }],
  ['   ', { kind: 'empty' }],
  ['/msg bob hi there', { kind: 'dm', nick: 'bob', text: 'hi there' }],
  ['/MSG bob hi', { kind: 'dm', nick: 'bob', text: 'hi' }],
  ['/msg bob', { kind: 'invalid', hint: 'usage: /msg <nick> <text>' }],
  ['/msg', { kind: 'invalid', hint: 'usage: /msg <nick> <text>' }],
  ['/msg b@d hi', { kind: 'invalid', hint: 'not a nick: b@d' }],
  ['/nick bob', { kind: 'nick', nick: 'bob' }],
  ['/NICK  Bob_2 ', { kind: 'nick', nick: 'Bob_2' }],
  ['/nick', { kind: 'invalid', hint: 'usage: /nick <nick>' }],
  [
    '/nick b@d',
    {
      kind: 'invalid',
      hint: 'not a nick: b@d (a nick is 1 to 24 characters: letters A-Z a-z, digits 0-9, "_" or "-")',
    },
  ],
  ['/users', { kind: 'users' }],
  ['/history', { kind: 'history', count: DEFAULT_HISTORY_COUNT }],
  ['/history 5', { kind: 'history', count: 5 }],
  ['/history five', { kind: 'invalid', hint: 'usage: /history [n], n a whole number' }],
  ['/history -1', { kind: 'invalid', hint: 'usage: /history [n], n a whole number' }],
  ['/auth s3cret', { kind: 'auth', token: 's3cret' }],
  ['/auth', { kind: 'invalid', hint: 'usage: /auth <token>' }],
  ['/announce maintenance at noon', { kind: 'announce', text: 'maintenance at noon' }],
  ['/announce   ', { kind: 'invalid', hint: 'usage: /announce <text>' }],
  ['/kick bob', { kind: 'kick', nick: 'bob', reason: '' }],
  ['/kick bob too loud', { kind: 'kick', nick: 'bob', reason: 'too loud' }],
  ['/kick', { kind: 'invalid', hint: 'usage: /kick <nick> [reason]' }],
  ['/quit', { kind: 'quit', reason: '' }],
  ['/quit see you', { kind: 'quit', reason: 'see you' }],
  ['/help', { kind: 'help' }],
  ['/frobnicate now', { kind: 'invalid', hint: 'unknown command /frobnicate (try /help)' }],
  ['/', { kind: 'invalid', hint: 'unknown command / (try /help)' }],
];

for (const [line, expected] of table) {
  test(`parses ${JSON.stringify(line)}`, (t) => {
    t.deepEqual(parseInput(line), expected);
  });
}
