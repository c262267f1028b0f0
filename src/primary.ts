#!/usr/bin/env node
/**
 * Entry point of the server: parses the command line and runs the primary, which forks the
 * workers and is the hub of the cluster.
 */
import { createPrimaryCommand } from './cli/primary-command.js';
import { resolvePrimaryOptions, type PrimaryCliOptions } from './cli/primary-options.js';
import { createStatus } from './cli/status.js';
import { runPrimary } from './cluster/primary-process.js';
import { createLogger } from './log.js';

createPrimaryCommand()
  .action(async (options: PrimaryCliOptions) => {
    const primary = resolvePrimaryOptions(options);
    // Only the hub checks AUTH: the workers, which inherit our environment, need not hold the token.
    delete process.env.CHAT_ADMIN_TOKEN;
    await runPrimary(primary, createStatus(), createLogger('primary', options.logLevel));
  })
  .parseAsync()
  .catch((error: unknown) => {
    console.error(`clusterchat: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    process.exit();
  });
