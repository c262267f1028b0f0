/** Every error code of the contract, over a real socket; after each one the connection still works. */
import test from 'ava';
import { connect, registered, type LineClient } from '../helpers/line-client.js';
import type { ErrorCode } from '../../src/protocol/error-codes.js';
import { SharedTeardown, startServer, type Owner, type TestServer } from '../helpers/server.js';

const shared = new SharedTeardown();
let server: TestServer;

test.before(async () => {
  server = await startServer(shared, { args: ['--admin-token', 'errors-test-operator-token', '--max-line', '64'] });
  await registered(shared, server.port, 'taken');
});

test.after.always(() => shared.cleanup());

const STATES = ['fresh', 'registered'] as const;
type State = (typeof STATES)[number];

type LinesByState = Partial<Record<State, Array<string | Buffer>>>;

/**
 * Per error code of the contract, lines that earn it on a fresh connection and on a registered
 * one. RATE_LIMITED has tests of its own below; UNAVAILABLE needs a failing disk or NATS.
 */
const cases: Partial<Record<ErrorCode, LinesByState>> = {
  UNKNOWN_COMMAND: { fresh: ['FROB x'] },
  BAD_ARGS: { fresh: ['REGISTER', 'HISTORY soon', 'USERS please'], registered: ['NICK'] },
  BAD_NICK: {
    fresh: ['REGISTER no spaces', 'REGISTER émile', `REGISTER ${'n'.repeat(25)}`],
    registered: ['NICK b@d'],
  },
  NICK_TAKEN: { fresh: ['REGISTER TAKEN'], registered: ['NICK TAKEN'] },
  ALREADY_REGISTERED: { registered: ['REGISTER other'] },
  NOT_REGISTERED: { fresh: ['NICK other', 'MSG hello', 'DM taken hi', 'ANNOUNCE hi', 'KICK taken'] },
  NO_SUCH_NICK: { registered: ['DM ghost hi'] },
  EMPTY: { registered: ['MSG', 'MSG    ', 'DM taken'] },
  FORBIDDEN: { registered: ['ANNOUNCE hi', 'KICK taken'] },
  AUTH_FAILED: { fresh: ['AUTH wrong'] },
  TOO_LONG: { fresh: [`MSG ${'x'.repeat(100)}`] },
  BAD_ENCODING: { fresh: [Buffer.from([0x4d, 0x53, 0x47, 0x20, 0xc3, 0x28])] },
  BAD_TEXT: {
    fresh: ['MSG \u001b]0;pwned\u0007', 'MSG \u009b31m', 'MSG nul\u0000byte'],
    registered: [
      'MSG /* admin \u202e } \u2066if (isAdmin)\u2069 \u2066 begin',
      'MSG zero\u200bwidth',
      'DM taken hidden\ufefftext',
      'MSG line\u2028separator',
      'MSG arabic\u061cmark',
    ],
  },
};

let nickCounter = 0;

async function clientIn(t: Owner, state: State): Promise<LineClient> {
  if (state === 'registered') return (await registered(t, server.port, `user${++nickCounter}`)).client;
  return (await connect(t, server.port)).client;
}

const everyCase = Object.entries(cases).flatMap(([code, byState]) =>
  STATES.flatMap((state) => (byState[state] ?? []).map((send) => ({ state, send, code }))),
);

for (const { state, send, code } of everyCase) {
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
