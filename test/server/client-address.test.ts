import test from 'ava';
import { clientAddress } from '../../src/server/client-address.js';

test('an IPv4 address is its own key', (t) => {
  t.is(clientAddress('127.0.0.2'), '127.0.0.2');
  t.is(clientAddress('203.0.113.9'), '203.0.113.9');
});

test('an IPv4-mapped IPv6 address counts as the IPv4 address it maps', (t) => {
  t.is(clientAddress('::ffff:203.0.113.9'), '203.0.113.9');
  t.is(clientAddress('::FFFF:127.0.0.1'), '127.0.0.1');
  t.is(clientAddress('::ffff:cb00:7109'), '203.0.113.9');
});

test('an IPv6 address counts by its /64 prefix, however it is written', (t) => {
  const key = '2001:db8:0:1::/64';
  t.is(clientAddress('2001:db8:0:1::1'), key);
  t.is(clientAddress('2001:0db8:0000:0001:ffff:ffff:ffff:ffff'), key);
  t.is(clientAddress('2001:DB8::1:0:0:0:7'), key);
  t.is(clientAddress('fe80::1%eth0'), 'fe80:0:0:0::/64');
  t.is(clientAddress('::1'), '0:0:0:0::/64');
  t.not(clientAddress('2001:db8:0:2::1'), key, 'the next /64 is another address');
  t.is(clientAddress('2001:db8::1.2.3.4'), '2001:db8:0:0::/64');
});

test('no address, or something that is not one, is "unknown"', (t) => {
  t.is(clientAddress(undefined), 'unknown');
  t.is(clientAddress('not an address'), 'unknown');
});
