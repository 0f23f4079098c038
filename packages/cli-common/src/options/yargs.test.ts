import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { configureYargs, yargsOptions } from './yargs.js';

describe('yargs builders', () => {
  it('define every option with its short flag and help group', () => {
    const opts = yargsOptions('asrestore');
    expect(opts['input-file']).toMatchObject({ alias: ['i'], type: 'string', group: '[asrestore]' });
    expect(opts['tls-enable']).toMatchObject({ type: 'boolean', group: '[cluster]' });
    expect(opts['sa-address'].group).toBe('[secret-agent]');
    expect(opts.help).toBeUndefined();
  });
  it('a configured instance parses the official flags', () => {
    const argv = configureYargs(yargs(['-n', 'test', '-d', 'dir', '-v']), 'asbackup').parseSync();
    expect(argv.namespace).toBe('test');
    expect(argv.directory).toBe('dir');
    expect(argv.verbose).toBe(true);
  });
});
