import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { getopt } from './getopt.js';
import { ASBACKUP_OPTIONS, ASRESTORE_OPTIONS } from './table.js';

const b = (argv: string[]) => getopt(argv, ASBACKUP_OPTIONS, 'asbackup');
const r = (argv: string[]) => getopt(argv, ASRESTORE_OPTIONS, 'asrestore');
const pairs = (res: ReturnType<typeof b>) => res.occurrences.map((o) => [o.spec.name, o.value]);
const error = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('no error');
};

describe('getopt_long conventions', () => {
  it('accepts unique prefixes of long options (--input for --input-file)', () => {
    expect(pairs(r(['--input', 'x.asb']))).toEqual([['input-file', 'x.asb']]);
    expect(pairs(b(['--names=test']))).toEqual([['namespace', 'test']]);
  });
  it('an exact name beats longer names with the same prefix', () => {
    expect(pairs(b(['--tls-crl-check']))).toEqual([['tls-crl-check', undefined]]);
  });
  it('reports ambiguous prefixes with the possibilities', () => {
    const e = error(() => b(['--tls-cert', 'x']));
    expect(e.message).toBe(
      "asbackup: option '--tls-cert' is ambiguous; possibilities: '--tls-cert-blacklist' '--tls-certfile'",
    );
    expect(e.hint).toBe('Run with --help for usage information and flag options');
  });
  it('prefixes of aliases of one option are not ambiguous', () => {
    expect(pairs(b(['--sleep-between', '5']))).toEqual([['retry-delay', '5']]);
  });
  it('bundles short flags and attaches short arguments', () => {
    expect(pairs(b(['-vxntest', '-d', 'dir']))).toEqual([
      ['verbose', undefined],
      ['no-bins', undefined],
      ['namespace', 'test'],
      ['directory', 'dir'],
    ]);
  });
  it('a required argument takes the next word even if it starts with -', () => {
    expect(pairs(b(['-o', '-']))).toEqual([['output-file', '-']]);
  });
  it('optional arguments: attached, next word, or bare', () => {
    expect(pairs(b(['-Pxyz']))).toEqual([['password', 'xyz']]);
    expect(pairs(b(['--password=xyz']))).toEqual([['password', 'xyz']]);
    expect(pairs(b(['-P', 'xyz']))).toEqual([['password', 'xyz']]);
    expect(pairs(b(['-P', '-n', 'ns']))).toEqual([
      ['password', undefined],
      ['namespace', 'ns'],
    ]);
    expect(pairs(b(['--tls-keyfile-password']))).toEqual([['tls-keyfile-password', undefined]]);
  });
  it('rejects unknown options, missing arguments and arguments to flags', () => {
    expect(error(() => b(['--bogus'])).message).toBe("asbackup: unrecognized option '--bogus'");
    expect(error(() => b(['-k'])).message).toBe("asbackup: invalid option -- 'k'");
    expect(error(() => b(['-n'])).message).toBe("asbackup: option requires an argument -- 'n'");
    expect(error(() => b(['--namespace'])).message).toBe(
      "asbackup: option '--namespace' requires an argument",
    );
    expect(error(() => b(['--verbose=1'])).message).toBe(
      "asbackup: option '--verbose' doesn't allow an argument",
    );
  });
  it('short flags follow the official option strings (restore -z compress), plus the documented -K/-l', () => {
    expect(pairs(r(['-z', 'zstd', '-y', 'aes128']))).toEqual([
      ['compress', 'zstd'],
      ['encrypt', 'aes128'],
    ]);
    expect(pairs(r(['-K', '-l', '5']))).toEqual([
      ['ignore-record-error', undefined],
      ['extra-ttl', '5'],
    ]);
    expect(() => r(['-O'])).toThrow(UsageError);
    expect(pairs(r(['--options']))).toEqual([['help', undefined]]);
  });
  it('collects positionals and everything after --', () => {
    expect(b(['a', '-v', '--', '-x']).positionals).toEqual(['a', '-x']);
  });
});
