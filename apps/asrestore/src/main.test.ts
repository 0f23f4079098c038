import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, run, tempDir } from './testing.test-helper.js';

describe('command line', () => {
  it('--help and --version print to stdout and exit 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--directory');
    expect(help.stdout).toContain('--ignore-record-error');
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/\d+\.\d+\.\d+/);
  });

  it('refuses unknown options and missing inputs with exit 1', async () => {
    const unknown = await run(['--no-such-option']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no-such-option');
    const noInput = await run(['-n', 'test']);
    expect(noInput.code).toBe(1);
    expect(noInput.stderr).toContain('please specify a directory (-d option)');
    const both = await run(['-d', 'x', '-i', 'y']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--directory and --input-file are mutually exclusive');
  });

  it('checks -N, --extra-ttl and -n values', async () => {
    const nice = await run(['-d', 'x', '-N', '10']);
    expect(nice.code).toBe(1);
    const ns = await run(['-d', 'x', '-n', 'a,b,c']);
    expect(ns.code).toBe(1);
    expect(ns.stderr).toContain('Invalid namespace option');
  });

  it('a missing input directory is one clear error', async () => {
    const r = await run(['-h', '127.0.0.1:1', '--validate', '-d', '/nonexistent/asrestore-dir']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[ERR\].*\/nonexistent\/asrestore-dir/);
  });

  it('accepts --event-loops and the deprecated --retry-delay (with the official warning)', async () => {
    const r = await run([
      '--validate',
      '-i',
      `${FIXTURES}test_backup_file.asb`,
      '--event-loops',
      '4',
      '--retry-delay',
      '10',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('deprecated');
  });

  it('reads options from a config file ([asrestore] section)', async () => {
    const dir = tempDir();
    const conf = join(dir, 'astools.conf');
    writeFileSync(conf, `[asrestore]\ninput-file = "${FIXTURES}test_backup_file.asb"\nvalidate = true\n`);
    const r = await run(['--config-file', conf]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Validated 1 backup file(s)');
    writeFileSync(conf, '[asrestore]\nno-such-key = 1\n');
    const bad = await run(['--config-file', conf, '-d', 'x']);
    expect(bad.code).toBe(1);
  });
});
