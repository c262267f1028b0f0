/** Every error code of the contract, over a real socket; after each one the connection still works. */
import test from 'ava';
import { connect, registered, type LineClient } from '../helpers/line-client.js';
import { SharedTeardown, startServer, type Owner, type TestServer } from '../helpers/server.js';

const shared = new SharedTeardown();
let server: TestServer;

test.before(async () => {
  server = await startServer(shared, { args: ['--admin-token', 'errors-test-operator-token', '--max-line', '64'] });
  await registered(shared, server.port, 'taken');
});

test.after.always(() => shared.cleanup());

type State = 'fresh' | 'registered';

const cases: Array<{ state: State; send: string | Buffer; code: string }> = [
  { state: 'fresh', send: 'FROB x', code: 'UNKNOWN_COMMAND' },
  { state: 'fresh', send: 'REGISTER', code: 'BAD_ARGS' },
  { state: 'fresh', send: 'HISTORY soon', code: 'BAD_ARGS' },
  { state: 'fresh', send: 'USERS please', code: 'BAD_ARGS' },
  { state: 'fresh', send: 'REGISTER no spaces', code: 'BAD_NICK' },
  { state: 'fresh', send: 'REGISTER émile', code: 'BAD_NICK' },
  { state: 'fresh', send: `REGISTER ${'n'.repeat(25)}`, code: 'BAD_NICK' },
  { state: 'fresh', send: 'REGISTER TAKEN', code: 'NICK_TAKEN' },
  { state: 'registered', send: 'REGISTER other', code: 'ALREADY_REGISTERED' },
  { state: 'fresh', send: 'NICK other', code: 'NOT_REGISTERED' },
  { state: 'registered', send: 'NICK', code: 'BAD_ARGS' },
  { state: 'registered', send: 'NICK b@d', code: 'BAD_NICK' },
  { state: 'registered', send: 'NICK TAKEN', code: 'NICK_TAKEN' },
  { state: 'fresh', send: 'MSG hello', code: 'NOT_REGISTERED' },
  { state: 'fresh', send: 'DM taken hi', code: 'NOT_REGISTERED' },
  { state: 'fresh', send: 'ANNOUNCE hi', code: 'NOT_REGISTERED' },
  { state: 'fresh', send: 'KICK taken', code: 'NOT_REGISTERED' },
  { state: 'registered', send: 'DM ghost hi', code: 'NO_SUCH_NICK' },
  { state: 'registered', send: 'MSG', code: 'EMPTY' },
  { state: 'registered', send: 'MSG    ', code: 'EMPTY' },
  { state: 'registered', send: 'DM taken', code: 'EMPTY' },
  { state: 'registered', send: 'ANNOUNCE hi', code: 'FORBIDDEN' },
  { state: 'registered', send: 'KICK taken', code: 'FORBIDDEN' },
  { state: 'fresh', send: 'AUTH wrong', code: 'AUTH_FAILED' },
  { state: 'fresh', send: `MSG ${'x'.repeat(100)}`, code: 'TOO_LONG' },
  { state: 'fresh', send: Buffer.from([0x4d, 0x53, 0x47, 0x20, 0xc3, 0x28]), code: 'BAD_ENCODING' },
  { state: 'fresh', send: 'MSG \u001b]0;pwned\u0007', code: 'BAD_TEXT' },
  { state: 'fresh', send: 'MSG \u009b31m', code: 'BAD_TEXT' },
  { state: 'fresh', send: 'MSG nul\u0000byte', code: 'BAD_TEXT' },
  { state: 'registered', send: 'MSG /* admin \u202e } \u2066if (isAdmin)\u2069 \u2066 begin', code: 'BAD_TEXT' },
  { state: 'registered', send: 'MSG zero\u200bwidth', code: 'BAD_TEXT' },
  { state: 'registered', send: 'DM taken hidden\ufefftext', code: 'BAD_TEXT' },
  { state: 'registered', send: 'MSG line\u2028separator', code: 'BAD_TEXT' },
  { state: 'registered', send: 'MSG arabic\u061cmark', code: 'BAD_TEXT' },
];

let nickCounter = 0;

async function clientIn(t: Owner, state: State): Promise<LineClient> {
  if (state === 'registered') return (await registered(t, server.port, `user${++nickCounter}`)).client;
  return (await connect(t, server.port)).client;
}

for (const { state, send, code } of cases) {
  const shown = typeof send === 'string' ? JSON.stringify(send.slice(0, 40)) : `bytes ${send.toString('hex')}`;
  test(`${code}: ${shown} (${state})`, async (t) => {
    const client = await clientIn(t, state);
    client.write(Buffer.concat([typeof send === 'string' ? Buffer.from(send) : send, Buffer.from('\n')]));
    const reply = await client.until((line) => line.startsWith('OK') || line.startsWith('ERROR'));
    t.regex(reply, new RegExp(`^ERROR ${code} \\S`), 'code and a human-readable text');
    t.is(await client.command('PING still-here'), 'OK still-here', 'the connection stays usable');
  });
}

test('RATE_LIMITED past the burst; the connection is kept', async (t) => {
  const client = await clientIn(t, 'fresh');
  client.write('PING\n'.repeat(45));
  const replies: string[] = [];
  while (replies.length < 45) replies.push(await client.next());
  t.true(replies.filter((r) => r === 'OK').length >= 40);
  t.true(replies.some((r) => /^ERROR RATE_LIMITED \S/.test(r)));
  t.false(client.closed);
});

test('a 1 MiB line gets one TOO_LONG and the line after it is served', async (t) => {
  const client = await clientIn(t, 'fresh');
  client.write(Buffer.alloc(1024 * 1024, 'a'));
  client.write('\nPING after\n');
  t.regex(await client.next(), /^ERROR TOO_LONG /);
  t.is(await client.next(), 'OK after');
});

test('AUTH: the third failure closes the connection', async (t) => {
  const client = await clientIn(t, 'fresh');
  client.write('AUTH a\nAUTH b\nAUTH c\n');
  for (let i = 0; i < 3; i++) t.regex(await client.next(), /^ERROR AUTH_FAILED /);
  t.regex(await client.next(), /^BYE /);
  await client.closedByPeer();
});
