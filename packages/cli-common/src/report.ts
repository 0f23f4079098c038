import { EarlyExit, EXIT_FAILURE, UsageError } from './errors.js';
import type { Logger } from './output/log.js';
import { SecretAgentError } from './secret-agent/client.js';

/**
 * Prints an error from option parsing the official way and returns the exit code:
 * `EarlyExit` text to stdout (exit 0), `UsageError` lines to stderr (exit 1).
 */
export function reportParseError(
  e: unknown,
  logger: Logger,
  stdout: { write(s: string): unknown } = process.stdout,
): number {
  if (e instanceof EarlyExit) {
    stdout.write(e.text);
    return e.exitCode;
  }
  if (e instanceof UsageError) {
    for (const line of e.detailLines) logger.error(line);
    if (e.raw) logger.raw(e.message);
    else logger.error(e.message);
    if (e.hint) logger.raw(e.hint);
    return e.exitCode;
  }
  if (e instanceof SecretAgentError) {
    for (const line of e.logLines()) logger.error(line);
    return EXIT_FAILURE;
  }
  logger.error(e instanceof Error ? e.message : String(e));
  return EXIT_FAILURE;
}
