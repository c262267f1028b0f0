/**
 * What the README promises `nc` users, checked with the real `nc` (Debian's netcat-openbsd) when it
 * is installed: a script piped into `nc -N` gets every answer, then nc leaves by itself; an nc
 * left open is told when the server is lost.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import test from 'ava';
import { waitUntil } from '../../src/processes.js';
import { startServer } from '../helpers/server.js';

const available = spawnSync('nc', ['-h'], { encoding: 'utf8' }).stderr.includes('-N');
if (!available) console.log('skipping the nc test: no nc with -N (Debian: apt-get install netcat-openbsd)');
const ncTest = available ? test : test.skip;

ncTest('a script piped into nc -N gets every answer, then nc leaves once the server closes', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const nc = spawn('nc', ['-N', '127.0.0.1', String(server.port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => nc.kill('SIGKILL'));
  let output = '';
  nc.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  nc.stdin.end('REGISTER alice\nMSG hello from a script\nUSERS\n');
  const [code] = (await once(nc, 'exit')) as [number | null];
  t.is(code, 0);
  t.deepEqual(
    output.split('\n').filter((line) => line.startsWith('OK') || line.startsWith('ERROR')),
    ['OK alice', 'OK 2', 'OK 1 alice'],
  );
});

ncTest('an nc client whose input stays open reads BYE server lost when the primary is killed with -9', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const nc = spawn('nc', ['127.0.0.1', String(server.port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => nc.kill('SIGKILL'));
  let output = '';
  nc.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  nc.stdin.write('REGISTER alice\n');
  await waitUntil(() => output.includes('OK alice'), 'the registration');
  server.process.kill('SIGKILL');
  await waitUntil(() => output.includes('BYE server lost\n'), 'BYE server lost on nc');
  t.is(output.trimEnd().split('\n').at(-1), 'BYE server lost');
});
