import { describe, expect, it } from 'vitest';
import { packageVersion, startCli } from './cli-run.js';
import { parseAsbackupArgs } from './options/parse.js';

function sink() {
  const chunks: string[] = [];
  return { write: (s: string) => chunks.push(s), text: () => chunks.join('') };
}

describe('startCli', () => {
  it('returns options and a logger, or the exit code after the official error output', async () => {
    const stdout = sink();
    const stderr = sink();
    const io = { stdout, stderr, env: {}, now: () => new Date(0), parse: { defaultConfigFiles: [] } };
    const ok = await startCli(parseAsbackupArgs, ['-n', 'test', '-d', 'out', '-v'], io, '1.2.3');
    expect(typeof ok).toBe('object');
    if (typeof ok === 'object') {
      expect(ok.options.namespace).toBe('test');
      expect(ok.logger.verboseEnabled).toBe(true);
    }
    expect(await startCli(parseAsbackupArgs, ['--bogus'], io, '1.2.3')).toBe(1);
    expect(stderr.text()).toContain("unrecognized option '--bogus'");
    expect(await startCli(parseAsbackupArgs, ['--version'], io, '1.2.3')).toBe(0);
    expect(stdout.text()).toContain('1.2.3');
  });

  it('reads the version of a package.json', () => {
    expect(packageVersion(new URL('../package.json', import.meta.url))).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion(new URL('file:///nonexistent/package.json'))).toBe('0.0.0');
  });
});
