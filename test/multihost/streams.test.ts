import test from 'ava';
import { epochOf } from '../../src/multihost/streams.js';
import { natsTest, startNats } from '../helpers/nats.js';
import { failedStart } from '../helpers/server.js';

test('the epoch is parsed from the creation time, whatever the length of its fraction', (t) => {
  const full = epochOf('2026-11-30T10:20:31.056942127Z');
  t.is(BigInt(Number.parseInt(full, 36)) / 1_000_000n, BigInt(Date.parse('2026-11-30T10:20:31.056Z')));
  // Trailing zeros dropped by the server: the same instant as written in full.
  t.is(epochOf('2026-11-30T10:20:31.0569Z'), epochOf('2026-11-30T10:20:31.056900000Z'));
  t.is(epochOf('2026-11-30T10:20:31Z'), epochOf('2026-11-30T10:20:31.000000000Z'));
  t.not(epochOf('2026-11-30T10:20:31.056942127Z'), epochOf('2026-11-30T10:20:31.056942128Z'));
  t.is(epochOf('2026-11-30T11:20:31.5+01:00'), epochOf('2026-11-30T10:20:31.5Z'));
});

test('an unreadable creation time is an error, not a made-up epoch', (t) => {
  t.throws(() => epochOf('yesterday'), { message: /unreadable stream creation time/ });
  t.throws(() => epochOf('2026-11-30 10:20:31Z'), { message: /unreadable/ });
});

natsTest(
  'more replicas than a lone NATS server can hold: the start is refused at once, naming --nats-replicas',
  async (t) => {
    const nats = await startNats(t);
    const refused = await failedStart(['--workers', '1', '--no-http', '--nats', nats.urls, '--nats-replicas', '3']);
    t.is(refused.code, 1);
    t.regex(
      refused.stderr,
      /^clusterchat: --nats-replicas 3: NATS refuses to create stream CHAT_EVENTS: replicas > 1 not supported in non-clustered mode$/m,
    );
  },
);
