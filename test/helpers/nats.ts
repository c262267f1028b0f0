/**
 * NATS servers for tests: started on free loopback ports in temporary directories, ended (and
 * their stores removed) when the test ends, whether it passed or not. Tests that need them are
 * declared with `natsTest`, which skips them — with one line saying why — where nats-server is
 * not installed.
 */
import test from 'ava';
import { findNatsServer, NatsServers } from '../../src/demo/nats-servers.js';
import type { Owner } from './server.js';

const NATS_SERVER = findNatsServer();

if (NATS_SERVER === undefined) {
  console.log('nats-server is not installed: skipping the multi-host tests (apt-get install nats-server)');
}

/** `test`, or `test.skip` where there is no nats-server to run. */
export const natsTest = NATS_SERVER === undefined ? test.skip : test;
/** The same, one at a time: each of these tests runs several hosts of several processes. */
export const natsSerialTest = NATS_SERVER === undefined ? test.serial.skip : test.serial;

/** Starts `nodes` NATS servers (a cluster when more than one) for the owner, who ends them. */
export async function startNats(t: Owner, nodes = 1): Promise<NatsServers> {
  const servers = await NatsServers.start({ nodes, ...(NATS_SERVER === undefined ? {} : { binary: NATS_SERVER }) });
  t.teardown(() => servers.stop());
  return servers;
}
