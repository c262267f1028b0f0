import test from 'ava';
import { AddressLimits, DEFAULT_ADDRESS_LIMITS } from '../../src/hub/address-limits.js';
import { AddressTable } from '../../src/hub/address-table.js';

test('an address whose connections are gone and whose buckets are full again is forgotten', (t) => {
  const clock = { now: 0 };
  const limits = new AddressLimits(DEFAULT_ADDRESS_LIMITS, () => clock.now);
  for (let i = 0; i < 1_000; i++) {
    const address = `10.0.${i >> 8}.${i & 0xff}`;
    t.is(limits.admit(address), undefined);
    limits.takeEvent(address);
    limits.release(address);
  }
  t.is(limits.size, 1_000);
  clock.now += 60_000;
  limits.admit('192.0.2.1');
  t.is(limits.size, 1, 'the sweep dropped every idle address; the new one stays');
});

test('an address with an open connection is kept however long it is idle', (t) => {
  const clock = { now: 0 };
  const limits = new AddressLimits({ ...DEFAULT_ADDRESS_LIMITS, maxClientsPerIp: 1 }, () => clock.now);
  limits.admit('192.0.2.1');
  clock.now += 3_600_000;
  limits.admit('192.0.2.2');
  t.is(limits.admit('192.0.2.1'), 'too many connections from your address', 'its count survived the sweep');
});

test('the table never holds more than its cap: the least recently used evictable entry goes', (t) => {
  const table = new AddressTable<{ pinned: boolean }>({
    create: () => ({ pinned: false }),
    isIdle: () => false,
    evictable: (entry) => !entry.pinned,
    maxEntries: 3,
    sweepIntervalMs: 1_000_000,
    now: () => 0,
  });
  table.get('a').pinned = true;
  table.get('b');
  table.get('c');
  table.get('b');
  table.get('d');
  t.is(table.size, 3);
  t.is(table.peek('c'), undefined, 'c was the least recently used that may go');
  t.not(table.peek('a'), undefined, 'a holds a connection: never evicted');
  for (let i = 0; i < 10_000; i++) table.get(`x${i}`);
  t.is(table.size, 3);
  t.not(table.peek('a'), undefined);
});
