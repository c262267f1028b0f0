/** How the npm scripts' commands (report, screenshot) end: any error as one line and exit code 1. */
import type { Command } from 'commander';

export async function runScript(command: Command, name: string): Promise<void> {
  try {
    await command.parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
