import test from 'ava';
import { cutBatch, cutReply } from '../../src/bus/message-size.js';
import type { Delivery } from '../../src/bus/messages.js';

test('a batch is cut into runs whose texts stay within the bound, in order, one item at least', (t) => {
  const item = (n: number) => ({ type: 'msg', conn: 1, text: 'x'.repeat(n) });
  const batch = [item(4), item(4), { type: 'users', conn: 2 }, item(3), item(12), item(1)];
  t.deepEqual(cutBatch(batch, 10), [[item(4), item(4), { type: 'users', conn: 2 }], [item(3)], [item(12)], [item(1)]]);
  t.deepEqual(cutBatch([], 10), []);
});

test('a reply longer than the bound comes in parts, all but the last with more; others are left whole', (t) => {
  const reply: Delivery = { type: 'reply', conn: 3, text: 'OK 3 alice bob carol\n' };
  t.deepEqual(cutReply(reply, 8), [
    { type: 'reply', conn: 3, text: 'OK 3 ali', more: true },
    { type: 'reply', conn: 3, text: 'ce bob c', more: true },
    { type: 'reply', conn: 3, text: 'arol\n' },
  ]);
  t.deepEqual(cutReply(reply, 100), [reply]);
  const all: Delivery = { type: 'all', text: 'x'.repeat(20), seq: 1 };
  t.deepEqual(cutReply(all, 8), [all]);
});
