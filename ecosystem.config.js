/**
 * PM2 process file: `pm2 start ecosystem.config.js`.
 *
 * This is an ES module, like the rest of the package. PM2 loads process files with require(),
 * which from Node 20.19 (our engines floor) also loads ES modules and returns their exports: PM2
 * reads the named `apps` export (it would not look inside a default export).
 *
 * Settings can be overridden from the environment of `pm2 start`: CHAT_PORT, CHAT_HTTP_PORT,
 * CHAT_HOST, CHAT_LOG_LEVEL and CHAT_ADMIN_TOKEN are read by the server itself; CHAT_WORKERS and
 * CHAT_DATA_DIR become its --workers and --data-dir here. PM2 passes the whole environment of
 * `pm2 start` on, and the `env` below wins over it, so the values there defer to it.
 *
 * Rolling restart: `pm2 sendSignal SIGHUP clusterchat`. `pm2 reload` is no zero-downtime reload in
 * fork mode (it stops the primary, and with it every connection, then starts a new one).
 */
const setting = (name, fallback) => process.env[name] ?? fallback;

/** The server's --shutdown-timeout, in seconds. */
const SHUTDOWN_TIMEOUT_S = 5;

export const apps = [
  {
    name: 'clusterchat',
    // Paths (the script, the default ./data) are relative to this file, wherever pm2 is run from.
    cwd: import.meta.dirname,
    script: 'dist/primary.js',
    args: [
      '--workers',
      setting('CHAT_WORKERS', '4'),
      '--data-dir',
      setting('CHAT_DATA_DIR', './data'),
      '--shutdown-timeout',
      String(SHUTDOWN_TIMEOUT_S),
    ],
    // One process, forked by PM2: our primary is the cluster primary and forks the workers itself.
    // PM2's cluster mode (`exec_mode: 'cluster'`, `instances`) would make PM2 the cluster primary
    // and run dist/primary.js as one of its workers: our primary, hub of the chat, would never run.
    exec_mode: 'fork',
    // Signal the primary alone on stop. With treekill PM2 signals every descendant, the workers
    // too, and SIGKILLs the whole tree at kill_timeout: our orderly shutdown (BYE to every client,
    // history flushed, then the workers ended) would be bypassed.
    treekill: false,
    // Longer than the graceful shutdown (5 s, forced by the primary itself 1 s later), so PM2's
    // SIGKILL never cuts it short.
    kill_timeout: (SHUTDOWN_TIMEOUT_S + 3) * 1000,
    // The primary sends 'ready' once every worker takes connections and the port listens; PM2
    // counts it online only then (a restart that cannot listen is seen as such).
    wait_ready: true,
    // Forking the workers and restoring a long history may take a while on a busy machine.
    listen_timeout: 15_000,
    // A crashed primary is restarted after 100 ms, doubling on every crash in a row (up to 15 s),
    // so a primary that cannot start does not spin.
    autorestart: true,
    exp_backoff_restart_delay: 100,
    env: {
      CHAT_HOST: setting('CHAT_HOST', '127.0.0.1'),
      CHAT_PORT: setting('CHAT_PORT', '7000'),
      CHAT_HTTP_PORT: setting('CHAT_HTTP_PORT', '7080'),
      CHAT_LOG_LEVEL: setting('CHAT_LOG_LEVEL', 'info'),
    },
  },
];
