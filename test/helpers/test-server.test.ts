/**
 * The test helper itself: waiting for log lines must not add a listener to the server process per
 * wait (that was the MaxListenersExceededWarning `npm test` printed: 11 exit listeners).
 */
import test from 'ava';
import { startServer } from './server.js';

test('waitFor adds no listener to the server process, however often it is called, matched or not', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const listeners = () => server.process.listenerCount('exit') + server.process.listenerCount('close');
  const before = listeners();
  for (let i = 0; i < 20; i++) await server.waitFor(/listening on/);
  const never = Array.from({ length: 20 }, () => server.waitFor(/a line that never comes/));
  t.is(listeners(), before);
  await server.stop();
  for (const waiting of never) await t.throwsAsync(waiting, { message: /server exited before/ });
});
