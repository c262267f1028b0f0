/**
 * Where the operator token comes from, and whether it is good enough to start with. A token on
 * the command line is visible to every user of the machine (`/proc/<pid>/cmdline`, `ps`), so the
 * README recommends `--admin-token-file` or `CHAT_ADMIN_TOKEN`; all three work.
 */
import { readFileSync } from 'node:fs';
import { MIN_TOKEN_LENGTH } from '../hub/operator-auth.js';

interface AdminTokenOptions {
  /** `--admin-token`, or `CHAT_ADMIN_TOKEN`; empty when neither is set. */
  adminToken: string;
  adminTokenFile: string | undefined;
}

/** The token to use ('' for none: AUTH always fails); throws one clear line when it is unusable. */
export function resolveAdminToken(options: AdminTokenOptions): string {
  if (options.adminTokenFile === undefined) return checked(options.adminToken, 'the admin token');
  if (options.adminToken !== '') {
    throw new Error('give the admin token one way: --admin-token-file, or --admin-token / CHAT_ADMIN_TOKEN');
  }
  let text: string;
  try {
    text = readFileSync(options.adminTokenFile, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --admin-token-file ${options.adminTokenFile}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // A file written by `echo` ends with a newline that is not part of the token.
  const token = text.replace(/\r?\n$/, '');
  if (token === '') throw new Error(`--admin-token-file ${options.adminTokenFile} is empty`);
  return checked(token, `the admin token in ${options.adminTokenFile}`);
}

function checked(token: string, what: string): string {
  if (token === '') return token;
  if (/\s/.test(token)) throw new Error(`${what} must not contain spaces or line breaks (AUTH takes one word)`);
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`${what} is too short: at least ${MIN_TOKEN_LENGTH} characters, it has ${token.length}`);
  }
  return token;
}
