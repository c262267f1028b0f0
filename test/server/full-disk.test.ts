/**
 * Issue 14 §2 on a real disk: the data dir on a 256 KiB tmpfs, filled mid-chat by another file.
 * Public events are refused with UNAVAILABLE while reads go on, a LEAVE waits for the disk, the
 * chat resumes by itself once there is room, and a restart goes on from the last seq anyone saw.
 */
import { rmSync } from 'node:fs';
import { connect, publicEvents, registered } from '../helpers/line-client.js';
import { NO_ADDRESS_LIMITS, startServer } from '../helpers/server.js';
import { fillDisk, tinyDisk, tmpfsTest } from '../helpers/tmpfs.js';

const ARGS = ['--rate-limit', '100000', '--rate-burst', '100000', ...NO_ADDRESS_LIMITS];

const seqOf = (reply: string) => Number(reply.split(' ')[1]);

tmpfsTest(
  'a full disk: UNAVAILABLE, reads go on, LEAVEs wait, recovery by itself, and a restart goes on',
  async (t) => {
    const dataDir = tinyDisk(t, '256k');
    const first = await startServer(t, { dataDir, args: ARGS });
    const { client: alice } = await registered(t, first.port, 'alice');
    const { client: bob } = await registered(t, first.port, 'bob');
    let lastAcknowledged = seqOf(await alice.command('MSG before the disk fills'));

    const filler = fillDisk(dataDir);
    // The file's last page may still hold a few events: talk until the disk refuses.
    let reply = '';
    for (let i = 0; i < 100; i++) {
      reply = await alice.command(`MSG ${'x'.repeat(1000)}`);
      if (!reply.startsWith('OK ')) break;
      lastAcknowledged = seqOf(reply);
    }
    t.regex(reply, /^ERROR UNAVAILABLE history cannot be written: ENOSPC/);
    t.regex(await bob.command('MSG me neither'), /^ERROR UNAVAILABLE history cannot be written: /);
    t.regex(await bob.command('REGISTER again'), /^ERROR ALREADY_REGISTERED /);
    t.is(await alice.command('USERS'), 'OK 2 alice bob', 'reads go on');
    t.is(await alice.command('DM bob still there?'), 'OK', 'so do DMs');
    t.regex(await bob.until((line) => line.startsWith('DM ')), / alice still there\?$/);
    const { client: carol } = await connect(t, first.port);
    t.regex(await carol.command('REGISTER carol'), /^ERROR UNAVAILABLE /, 'a JOIN is a public event too');
    t.is(await carol.command('HISTORY 1'), `OK 1`);

    // bob leaves: his nick is free at once (once the server has seen him go), his LEAVE waits for the disk.
    bob.close();
    let registerAgain = '';
    for (let i = 0; i < 100 && !registerAgain.startsWith('ERROR UNAVAILABLE'); i++) {
      registerAgain = await carol.command('REGISTER bob');
      t.regex(registerAgain, /^ERROR (NICK_TAKEN|UNAVAILABLE) /);
    }
    t.regex(registerAgain, /^ERROR UNAVAILABLE /, 'free, but a JOIN cannot be written');

    const recovered = first.output.length;
    rmSync(filler);
    await first.waitFor(/can be written again/, recovered);
    const leave = await alice.until((line) => line.startsWith('LEAVE '));
    t.regex(leave, new RegExp(`^LEAVE ${lastAcknowledged + 1} \\S+ bob disconnected$`));
    t.is(await alice.command('MSG the disk has room again'), `OK ${lastAcknowledged + 2}`);
    t.is(first.output.match(/cannot write/g)?.length, 1, 'one error for the outage');

    // Every seq anyone saw is on disk, once: a restart goes on from there, in the same epoch.
    const epoch = first.output.match(/epoch (\S+),/)?.[1];
    await first.stop();
    const second = await startServer(t, { dataDir, args: ARGS });
    const { client: dave, welcome } = await connect(t, second.port);
    t.is(welcome.split(' ')[4], epoch);
    t.is(Number(welcome.split(' ')[3]), lastAcknowledged + 2 + 1, 'alice left at the shutdown');
    t.is(await dave.command('HISTORY 4'), 'OK 4');
    const seqs = publicEvents(dave).map((line) => Number(line.split(' ')[1]));
    t.deepEqual(seqs, [lastAcknowledged, lastAcknowledged + 1, lastAcknowledged + 2, lastAcknowledged + 3]);
    t.is(await dave.command('REGISTER dave'), 'OK dave');
    t.is(seqOf(await dave.command('MSG after the restart')), lastAcknowledged + 5);
  },
);
