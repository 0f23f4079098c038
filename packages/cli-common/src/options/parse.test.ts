import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EarlyExit, UsageError } from '../errors.js';
import { promptHidden } from '../prompt.js';
import { FakeSecretAgent, unusedPort } from '../test/fake-secret-agent.js';
import { type ParseContext, parseAsbackupArgs, parseAsrestoreArgs } from './parse.js';

const FIXTURES = new URL('../../../../../shared/fixtures/', import.meta.url);
const KEY_PEM = readFileSync(new URL('test_key.pem', FIXTURES));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'asbkit-parse-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noPrompt = async () => {
  throw new Error('unexpected prompt');
};
const base: ParseContext = { defaultConfigFiles: [], env: {}, prompt: noPrompt };
const backup = (argv: string[], ctx: ParseContext = {}) => parseAsbackupArgs(argv, { ...base, ...ctx });
const restore = (argv: string[], ctx: ParseContext = {}) => parseAsrestoreArgs(argv, { ...base, ...ctx });

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
}

function writeFile(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('defaults', () => {
  it('asbackup fills every default', async () => {
    const o = await backup(['-n', 'test', '-d', 'out']);
    expect(o).toMatchObject({
      tool: 'asbackup',
      namespace: 'test',
      directory: 'out',
      cluster: {
        host: '127.0.0.1',
        port: 3000,
        authMode: 'INTERNAL',
        servicesAlternate: false,
        tls: { enable: false },
      },
      parallel: 1,
      parallelGiven: false,
      fileLimit: 250 * 1048576,
      socketTimeoutMs: 10000,
      totalTimeoutMs: 0,
      maxRetries: 5,
      retryDelayMs: 0,
      estimateSamples: 10000,
      maxRecords: 0,
      recordsPerSecond: 0,
      bandwidth: 0,
      sets: [],
      s3: { profile: 'default', maxAsyncDownloads: 32, connectTimeoutMs: 1000, logLevel: 'Fatal' },
      s3MaxAsyncUploads: 16,
      secretAgent: { address: '127.0.0.1', timeoutMs: 1000 },
    });
    expect(o.secretAgent.caPem).toBeUndefined();
  });
  it('asrestore fills every default', async () => {
    const o = await restore(['-d', 'in']);
    expect(o).toMatchObject({
      tool: 'asrestore',
      parallel: 20,
      timeoutMs: 10000,
      socketTimeoutMs: 10000,
      totalTimeoutMs: 0,
      maxRetries: 5,
      retryScaleFactorUs: 150000,
      maxAsyncBatches: 32,
      eventLoops: 1,
      extraTtl: 0,
    });
    expect(o.batchSize).toBeUndefined();
    expect(o).not.toHaveProperty('niceText');
  });
  it('--node-list makes the default parallelism 16', async () => {
    expect((await backup(['-n', 'x', '-d', 'o', '-l', '1.2.3.4:3000'])).parallel).toBe(16);
    expect((await backup(['-n', 'x', '-d', 'o', '-l', '1.2.3.4:3000', '-w', '3'])).parallel).toBe(3);
  });
});

describe('converted values', () => {
  it('asbackup lists, times, sizes', async () => {
    const o = await backup([
      '-n',
      'ns',
      '-o',
      '-',
      '-s',
      `"a,b",c`,
      '-B',
      'x, y',
      '-F',
      '2',
      '-N',
      '3',
      '-z',
      'zstd',
      '--compression-level',
      '5',
      '-a',
      '2016-05-12',
    ]);
    expect(o.sets).toEqual(['a,b', 'c']);
    expect(o.binList).toEqual(['x', 'y']);
    expect(o.fileLimit).toBe(2 * 1048576);
    expect(o.bandwidth).toBe(3 * 1048576);
    expect(o.compress).toBe('zstd');
    expect(o.compressionLevel).toBe(5);
    expect(typeof o.modifiedAfter).toBe('bigint');
  });
  it('asrestore lists, nice, parent directory', async () => {
    const o = await restore([
      '--directory-list',
      'a,b',
      '--parent-directory',
      '/root',
      '-n',
      'src, dst',
      '-s',
      's1',
      '-B',
      'b1,b2',
      '-N',
      '10,500',
    ]);
    expect(o.directoryList).toEqual(['/root/a', '/root/b']);
    const s3 = await restore(['--directory-list', 'x,y', '--parent-directory', 's3://bucket/']);
    expect(s3.directoryList).toEqual(['s3://bucket/x', 's3://bucket/y']);
    expect(o.namespaceList).toEqual(['src', 'dst']);
    expect(o.setList).toEqual(['s1']);
    expect(o.binList).toEqual(['b1', 'b2']);
    expect([o.bandwidth, o.tps]).toEqual([10 * 1048576, 500]);
  });
  it('--threads warns and sets parallel; --retry-delay warns', async () => {
    const o = await restore(['-d', 'x', '--threads', '4', '--retry-delay', '5']);
    expect(o.parallel).toBe(4);
    expect(o.notices.map((n) => n.message)).toEqual([
      "WARNING: '--threads' option is deprecated, use `--parallel` instead",
      'Warning: `--sleep-between-retries` and `--retry-delay` are deprecated and has no effect, use `--retry-scale-factor` to configure the amount to back off when retrying transactions.',
    ]);
  });
});

describe('official messages for bad values', () => {
  const cases: [string[], string][] = [
    [['-p', '0'], 'Invalid port value 0'],
    [['-p', '3000x'], 'Invalid port value 3000x'],
    [['-w', '101'], 'Invalid parallelism value 101'],
    [['-F', '0'], 'Invalid file limit value 0'],
    [['-N', 'x'], 'Invalid bandwidth value x'],
    [['-L', '-1'], 'Invalid records-per-second value -1'],
    [['-M', 'abc'], 'Invalid max-records value abc'],
    [['--estimate-samples', '0'], 'Invalid estimate-samples value 0'],
    [['-z', 'gzip'], 'Invalid compression type "gzip"'],
    [['-y', 'aes512'], 'Invalid encryption type "aes512"'],
    [['--socket-timeout', '-1'], 'Invalid socket timeout value -1'],
    [['--s3-log-level', 'loud'], 'Invalid S3 log level "loud"'],
    [['-a', 'today'], 'Invalid date and time string today'],
    [['--sa-timeout', 'x'], 'Invalid secret agent timeout value x'],
    [['--sa-cafile', '/nonexistent/ca.pem'], 'Invalid secret agent cafile /nonexistent/ca.pem'],
    [
      ['--encryption-key-file', 'k', '--encryption-key-env', 'E'],
      'Cannot specify both encryption-key-file and encryption-key-env',
    ],
  ];
  it.each(cases)('asbackup %j', async (argv, message) => {
    const e = await usageError(backup(['-n', 'ns', '-d', 'o', ...argv]));
    expect(e.message).toBe(message);
    expect(e.exitCode).toBe(1);
  });
  it.each([
    [['-t', '0'], 'Invalid threads value 0'],
    [['-t', '4097'], 'Invalid threads value 4097'],
    [['--extra-ttl', '-1'], 'Invalid extra-ttl value -1'],
    [['-T', 'x'], 'Invalid timeout value x'],
    [['--retry-scale-factor', '-5'], 'Invalid retry delay value -5'],
    [['--batch-size', 'x'], 'Invalid batch-size value x'],
    [['-N', '5'], 'Invalid nice option'],
    [['-n', 'a,b,c'], 'Invalid namespace option'],
    [['-B', 'a,,b'], 'Error while parsing bin list'],
  ] as [string[], string][])('asrestore %j', async (argv, message) => {
    const e = await usageError(restore(['-d', 'x', ...argv]));
    expect(e.message).toBe(message);
  });
});

describe('mutual exclusion (asbackup, spec §8.3)', () => {
  const cases: [string[], string][] = [
    [['-d', 'o'], 'Please specify a namespace (-n option)'],
    [
      ['-n', 'n', '-d', 'o', '-s', 'a,b', '-f', 'kwGTUQOkbmFtZaQDYm9i'],
      'Multi-set backup and filter-exp are mutually exclusive',
    ],
    [
      ['-n', 'n', '-d', 'o', '-f', 'x', '--no-ttl-only'],
      '--filter-exp is mutually exclusive with --modified-after, --modified-before, and --no-ttl-only',
    ],
    [
      ['-n', 'n', '-d', 'o', '--compression-level', '3'],
      'Cannot set compression level without compression enabled',
    ],
    [
      ['-n', 'n', '-d', 'o', '-y', 'aes128'],
      'Must specify both encryption mode and a private key file/environment variable',
    ],
    [
      ['-n', 'n', '-d', 'o', '--encryption-key-env', 'K'],
      'Must specify both encryption mode and a private key file/environment variable',
    ],
    [
      ['-n', 'n', '-d', 'o', '-o', 'f'],
      'Invalid options: --directory, --output-file, and --estimate are mutually exclusive.',
    ],
    [['-n', 'n'], 'Please specify a directory (-d), an output file (-o), or make an estimate (-e).'],
    [['-n', 'n', '-e', '-R'], 'Invalid options: -e and -R are mutually exclusive.'],
    [['-n', 'n', '-e', '-w', '2'], "Estimate cannot be parallelized, don't set --parallel."],
    [
      ['-n', 'n', '-d', 'o', '-X', '0-10', '-D', 'EjRWeJq83vEjRRI0VniavN7xI0U='],
      'after-digest and partition-list arguments are mutually exclusive',
    ],
    [
      ['-n', 'n', '-d', 'o', '-l', 'h:3000', '-X', '1'],
      'node-list is mutually exclusive with after-digest and partition-list',
    ],
    [['-n', 'n', '-e', '-c', 's'], '--continue and --estimate arguments are mutually exclusive'],
    [
      ['-n', 'n', '-d', 'o', '-c', 's', '-r'],
      '--continue and --remove-files arguments are mutually exclusive',
    ],
    [
      ['-n', 'n', '-d', 'o', '-c', 's', '--remove-artifacts'],
      '--continue and --remove-artifacts arguments are mutually exclusive',
    ],
    [
      ['-n', 'n', '-e', '--remove-artifacts'],
      '--estimate and --remove-artifacts arguments are mutually exclusive',
    ],
    [
      ['-n', 'n', '-d', 'o', '--s3-min-part-size', '4'],
      'S3 minimum part size must be between 5 MB and 5 GB (5120 MB)',
    ],
  ];
  it.each(cases)('%j', async (argv, message) => {
    expect((await usageError(backup(argv))).message).toBe(message);
  });
  it('--remove-artifacts needs no namespace; estimate warnings are notices', async () => {
    expect((await backup(['--remove-artifacts', '-d', 'o'])).removeArtifacts).toBe(true);
    const o = await backup(['-n', 'n', '-e', '-M', '5']);
    expect(o.notices[0].message).toMatch(/^Warning: max-records is ignored with --estimate/);
  });
});

describe('mutual exclusion (asrestore, spec §7)', () => {
  const cases: [string[], string][] = [
    [
      [],
      'Invalid options: please specify a directory (-d option), directory list (--directory-list option), or an input file (-i option).',
    ],
    [
      ['-d', 'a', '--parent-directory', 'p'],
      'Invalid options: --parent-directory should always be used with, and only applies to --directory-list.',
    ],
    [['-d', 'a', '-i', 'f'], 'Invalid options: --directory and --input-file are mutually exclusive.'],
    [
      ['-d', 'a', '-u', '-r'],
      'Invalid options: --unique is mutually exclusive with --replace and --no-generation.',
    ],
    [
      ['-d', 'a', '-u', '-g'],
      'Invalid options: --unique is mutually exclusive with --replace and --no-generation.',
    ],
    [
      ['-d', 'a', '--directory-list', 'b'],
      'Invalid options: --directory and --directory-list are mutually exclusive.',
    ],
    [
      ['-i', 'a', '--directory-list', 'b'],
      'Invalid options: --input-file and --directory-list are mutually exclusive.',
    ],
    [
      ['-d', 'a', '-y', 'aes256'],
      'Must specify both encryption mode and a private key file/environment variable',
    ],
  ];
  it.each(cases)('%j', async (argv, message) => {
    expect((await usageError(restore(argv))).message).toBe(message);
  });
});

describe('help, version, leftovers', () => {
  it('--help and prefixes of it print grouped help', async () => {
    for (const argv of [['--help'], ['-Z'], ['--usage'], ['--opt']]) {
      try {
        await backup(argv);
        throw new Error('no exit');
      } catch (e) {
        expect(e).toBeInstanceOf(EarlyExit);
        const text = (e as EarlyExit).text;
        expect(text.indexOf('[cluster]')).toBeLessThan(text.indexOf('[asbackup]'));
        expect(text.indexOf('[asbackup]')).toBeLessThan(text.indexOf('[secret-agent]'));
        expect(text).toContain('--sa-address');
        expect((e as EarlyExit).exitCode).toBe(0);
      }
    }
  });
  it('--version wins even with bad options after it', async () => {
    const e = await restore(['-V', '-p', 'bad'], { version: '1.2.3' }).catch((x) => x);
    expect(e).toBeInstanceOf(EarlyExit);
    expect(e.text).toBe('Aerospike Restore\nVersion 1.2.3\n');
  });
  it('leftover words are an error', async () => {
    expect((await usageError(backup(['-n', 'n', '-d', 'o', 'extra']))).message).toBe(
      'Unexpected trailing argument extra',
    );
  });
  it('--no-config-file and --only-config-file conflict', async () => {
    expect((await usageError(backup(['--no-config-file', '--only-config-file', 'x']))).message).toBe(
      '--no-config-file and only-config-file are mutually exclusive option. Please enable only one.',
    );
  });
});

describe('passwords', () => {
  it('prompts for -P without a value and for a user without a password', async () => {
    const asked: string[] = [];
    const prompt = async (q: string) => {
      asked.push(q);
      return 'typed';
    };
    expect((await backup(['-n', 'n', '-d', 'o', '-U', 'u', '-P'], { prompt })).cluster.password).toBe(
      'typed',
    );
    expect((await backup(['-n', 'n', '-d', 'o', '-U', 'u'], { prompt })).cluster.password).toBe('typed');
    expect((await backup(['-n', 'n', '-d', 'o', '-U', 'u', '-Pxyz'], { prompt })).cluster.password).toBe(
      'xyz',
    );
    expect((await backup(['-U', 'u', '-P', 'abc', '-n', 'n', '-d', 'o'], { prompt })).cluster.password).toBe(
      'abc',
    );
    expect(asked).toEqual(['Enter Password: ', 'Enter Password: ']);
  });
  it('the no-echo prompt reads one line and echoes nothing of it', async () => {
    const stdin = new PassThrough();
    const stderr = new PassThrough();
    let shown = '';
    stderr.on('data', (d) => {
      shown += d;
    });
    const answer = promptHidden('Enter Password: ', { stdin, stderr });
    stdin.write('s3cr3t\n');
    expect(await answer).toBe('s3cr3t');
    expect(shown).toBe('Enter Password: \n');
  });
  it('the default prompt uses the given terminal in raw mode, without echo', async () => {
    const stdin = Object.assign(new PassThrough(), {
      isTTY: true,
      modes: [] as boolean[],
      setRawMode(this: { modes: boolean[] }, on: boolean) {
        this.modes.push(on);
      },
    });
    const stderr = new PassThrough();
    let shown = '';
    stderr.on('data', (d) => {
      shown += d;
    });
    const parsed = backup(['-n', 'n', '-d', 'o', '-U', 'u'], { prompt: undefined, stdin, stderr });
    setImmediate(() => stdin.write('ab\u007fc\r'));
    expect((await parsed).cluster.password).toBe('ac');
    expect(stdin.modes).toEqual([true, false]);
    expect(shown).toBe('Enter Password: \n');
  });

  it('--tls-keyfile-password reads env: and file: for a key path', async () => {
    const pwFile = writeFile('pw.txt', 'frompath\nsecond\n');
    const env = { KEYPW: 'fromenv' };
    const a = await backup(
      ['-n', 'n', '-d', 'o', '--tls-keyfile', 'k.pem', '--tls-keyfile-password', 'env:KEYPW'],
      { env },
    );
    expect(a.cluster.tls.keyfilePassword).toBe('fromenv');
    const b = await backup([
      '-n',
      'n',
      '-d',
      'o',
      '--tls-keyfile',
      'k.pem',
      `--tls-keyfile-password=file:${pwFile}`,
    ]);
    expect(b.cluster.tls.keyfilePassword).toBe('frompath');
    const e = await usageError(
      backup(['-n', 'n', '-d', 'o', '--tls-keyfile', 'k.pem', '--tls-keyfile-password', 'env:NOPE']),
    );
    expect(e.message).toBe('missing TLS key password environment variable NOPE');
  });
});

describe('Secret Agent on the command line', () => {
  const agent = new FakeSecretAgent();
  beforeAll(async () => {
    await agent.start();
  });
  afterAll(() => agent.stop());
  afterEach(() => {
    agent.requests.length = 0;
    agent.mode = { kind: 'normal' };
  });

  it('every asbackup option given as a secret parses like its literal value (test_backup_config_set)', async () => {
    const caFile = writeFile('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const keyFile = writeFile('key.pem', KEY_PEM);
    const literal: [string, string][] = [
      ['host', 'str'],
      ['port', '1234'],
      ['user', 'str'],
      ['password', 'str'],
      ['auth', 'str'],
      ['tls-name', 'str'],
      ['tls-cafile', caFile],
      ['tls-capath', 'str'],
      ['tls-protocols', 'str'],
      ['tls-cipher-suite', 'str'],
      ['tls-keyfile', keyFile],
      ['tls-keyfile-password', 'str'],
      ['tls-certfile', caFile],
      ['parallel', '16'],
      ['compress', 'zstd'],
      ['compression-level', '1234'],
      ['encrypt', 'aes256'],
      ['encryption-key-file', keyFile],
      ['bin-list', 'str'],
      ['namespace', 'str'],
      ['set', 'str'],
      ['directory', 'str'],
      ['output-file-prefix', 'str'],
      ['state-file-dst', 'str'],
      ['file-limit', '1234'],
      ['partition-list', 'str'],
      ['prefer-racks', 'str'],
      ['modified-after', '2016-05-12_08:10:30'],
      ['modified-before', '2016-05-12_08:10:30'],
      ['records-per-second', '7'],
      ['max-records', '9'],
      ['machine', 'str'],
      ['nice', '3'],
      ['socket-timeout', '11'],
      ['total-timeout', '12'],
      ['max-retries', '13'],
      ['sleep-between-retries', '14'],
      ['retry-delay', '15'],
      ['s3-region', 'str'],
      ['s3-profile', 'str'],
      ['s3-endpoint-override', 'str'],
      ['s3-min-part-size', '6'],
      ['s3-max-async-downloads', '7'],
      ['s3-max-async-uploads', '8'],
      ['s3-log-level', 'debug'],
      ['s3-connect-timeout', '9'],
    ];
    for (const [name, value] of literal) {
      const fileValued = ['tls-cafile', 'tls-keyfile', 'tls-certfile', 'encryption-key-file'].includes(name);
      agent.putPlain('backup', name, fileValued ? readFileSync(value) : value);
    }
    const sa = ['--sa-address', '127.0.0.1', '--sa-port', String(agent.port)];
    const plain = await backup(literal.flatMap(([n, v]) => [`--${n}`, v]));
    const viaAgent = await backup([...sa, ...literal.flatMap(([n]) => [`--${n}`, `secrets:backup:${n}`])]);
    // One request per secret, in argv order.
    expect(agent.requests.map((r) => r.key)).toEqual(literal.map(([n]) => n));
    const expected = structuredClone(plain);
    expected.cluster.tls.cafile = { kind: 'content', data: readFileSync(caFile) };
    expected.cluster.tls.certfile = { kind: 'content', data: readFileSync(caFile) };
    expected.cluster.tls.keyfile = { kind: 'content', data: KEY_PEM };
    expected.encryptionKey = { kind: 'file', file: { kind: 'content', data: KEY_PEM } };
    expected.secretAgent = viaAgent.secretAgent;
    // A key supplied as content gets its password raw (no env:/file: reading).
    expect(viaAgent).toEqual(expected);
    expect(viaAgent.secretAgent).toEqual({ address: '127.0.0.1', port: String(agent.port), timeoutMs: 1000 });
  });

  it('asrestore options via secrets with --sa-address host:port (test_restore_config_set)', async () => {
    const literal: [string, string][] = [
      ['namespace', 'str'],
      ['directory', 'str'],
      ['parallel', '16'],
      ['machine', 'str'],
      ['bin-list', 'str'],
      ['set-list', 'str'],
      ['extra-ttl', '5'],
      ['nice', '3,4'],
      ['timeout', '6'],
      ['socket-timeout', '7'],
      ['total-timeout', '8'],
      ['max-retries', '9'],
      ['retry-scale-factor', '10'],
      ['max-async-batches', '11'],
      ['batch-size', '12'],
      ['event-loops', '13'],
      ['s3-region', 'str'],
      ['s3-profile', 'str'],
      ['s3-endpoint-override', 'str'],
      ['s3-max-async-downloads', '14'],
      ['s3-log-level', 'debug'],
      ['s3-connect-timeout', '15'],
      ['compress', 'zstd'],
    ];
    for (const [name, value] of literal) agent.putPlain('restore', name, value);
    const plain = await restore(literal.flatMap(([n, v]) => [`--${n}`, v]));
    const viaAgent = await restore([
      '--sa-address',
      `127.0.0.1:${agent.port}`,
      ...literal.flatMap(([n]) => [`--${n}`, `secrets:restore:${n}`]),
    ]);
    expect({ ...viaAgent, secretAgent: undefined }).toEqual({ ...plain, secretAgent: undefined });
    expect(viaAgent.secretAgent).toEqual({ address: '127.0.0.1', port: String(agent.port), timeoutMs: 1000 });
  });

  it('-P secrets in every form; key env name from a secret', async () => {
    agent.putPlain('r', 'pw', 'agentpw').putPlain('r', 'env', 'MY_KEY');
    const sa = `--sa-address=127.0.0.1:${agent.port}`;
    for (const form of [['-P', 'secrets:r:pw'], ['--password=secrets:r:pw'], ['-Psecrets:r:pw']]) {
      const o = await backup([sa, '-n', 'n', '-d', 'o', '-U', 'u', ...form]);
      expect(o.cluster.password).toBe('agentpw');
    }
    const o = await backup([
      sa,
      '-n',
      'n',
      '-d',
      'o',
      '-y',
      'aes128',
      '--encryption-key-env',
      'secrets:r:env',
    ]);
    expect(o.encryptionKey).toEqual({ kind: 'env', name: 'MY_KEY' });
  });

  it('an agent failure gives the official lines and never the secret value', async () => {
    agent.mode = { kind: 'rawBody', body: '{"SecretValue":"c2VrcmV0"' };
    const e = await usageError(
      backup([`--sa-address=127.0.0.1:${agent.port}`, '-n', 'secrets:r:ns', '-d', 'o']),
    );
    expect(e.message).toBe('secret agent request failed err code: 1');
    expect(e.detailLines).toEqual([
      'secret-agent: ERR: failed to parse response JSON line 1 (invalid JSON)',
      'secret-agent: ERR: unable to fetch secret',
    ]);
    expect(JSON.stringify(e)).not.toContain('c2VrcmV0');
    agent.mode = { kind: 'normal' };
    const port = await unusedPort();
    const refused = await usageError(backup(['--sa-port', String(port), '-n', 'secrets:r:ns', '-d', 'o']));
    expect(refused.message).toBe('secret agent request failed err code: 3');
  });

  it('a bad value from a secret is reported by its reference, not its text', async () => {
    agent.putPlain('r', 'port', '70000').putPlain('r', 'when', 'tomorrow');
    const sa = `--sa-address=127.0.0.1:${agent.port}`;
    let e = await usageError(backup([sa, '-n', 'n', '-d', 'o', '-p', 'secrets:r:port']));
    expect(e.message).toBe('Invalid port value secrets:r:port');
    e = await usageError(backup([sa, '-n', 'n', '-d', 'o', '-a', 'secrets:r:when']));
    expect(e.message).toBe('Invalid date and time string secrets:r:when');
    expect(JSON.stringify(e)).not.toContain('tomorrow');
  });

  it('agent and config-file options are never resolved', async () => {
    const o = await backup([
      '--instance',
      'secrets:r:x',
      '--sa-address',
      'secrets:r:y',
      '-n',
      'n',
      '-d',
      'o',
    ]);
    expect(o.secretAgent.address).toBe('secrets:r:y');
    expect(agent.requests).toHaveLength(0);
  });
});

describe('astools.conf through the parsers', () => {
  const agent = new FakeSecretAgent();
  beforeAll(() => agent.start());
  afterAll(() => agent.stop());
  afterEach(() => {
    agent.requests.length = 0;
  });

  it('reads [cluster] and [asbackup]; the command line wins', async () => {
    const conf = writeFile(
      'a.conf',
      '[cluster]\nhost = "h1:3000"\nport = 4000\ntls-enable = true\n[asbackup]\nnamespace = "cfg"\ndirectory = "d"\nparallel = 4\ncompact = true\nbin-list = "a,b"\n[asrestore]\nnope = 1\n',
    );
    const o = await backup(['--config-file', conf, '-n', 'cli']);
    expect(o).toMatchObject({
      namespace: 'cli',
      directory: 'd',
      parallel: 4,
      compact: true,
      binList: ['a', 'b'],
      cluster: { host: 'h1:3000', port: 4000, tls: { enable: true } },
    });
  });

  it('the default files are read in order, later ones winning', async () => {
    const first = writeFile('etc.conf', '[asbackup]\nnamespace = "first"\ndirectory = "d1"\n');
    const second = writeFile('home.conf', '[asbackup]\nnamespace = "second"\n');
    const o = await backup([], { defaultConfigFiles: [first, join(dir, 'missing.conf'), second] });
    expect([o.namespace, o.directory]).toEqual(['second', 'd1']);
    expect((await usageError(backup(['--no-config-file'], { defaultConfigFiles: [first] }))).message).toBe(
      'Please specify a namespace (-n option)',
    );
    const only = await backup(['--only-config-file', second, '-d', 'x'], { defaultConfigFiles: [first] });
    expect(only.namespace).toBe('second');
  });

  it('the official sample file loads', async () => {
    const sample = new URL('integration-config/astools.conf.sample', FIXTURES).pathname;
    const o = await backup(['--only-config-file', sample, '-n', 'n', '-d', 'd']);
    expect(o.namespace).toBe('n');
    await restore(['--only-config-file', sample, '-d', 'd']);
  });

  it('rejects unknown keys and wrong types with the official text', async () => {
    const unknownTool = writeFile('u1.conf', '[asbackup]\nbogus = 1\n');
    let e = await usageError(backup(['--only-config-file', unknownTool]));
    expect(e.message).toBe(`Parse error \`\` in file [0:${unknownTool}]`);
    expect(e.detailLines).toEqual(['Unknown parameter `bogus` in `asbackup` section']);
    const unknownCluster = writeFile('u2.conf', '[cluster]\nhostname = "x"\n');
    e = await usageError(backup(['--only-config-file', unknownCluster]));
    expect(e.message).toBe(
      `Parse error \`Unknown parameter \`hostname\` in \`cluster\` section.\` in file [0:${unknownCluster}]`,
    );
    const stringPort = writeFile('u3.conf', '[asbackup]\nnamespace = "n"\n\n[cluster]\nport = "3000"\n');
    e = await usageError(backup(['--only-config-file', stringPort]));
    expect(e.message).toBe(
      `Parse error \`Invalid parameter value for \`port\` in \`cluster\` section\` in file [0:${stringPort}]`,
    );
    expect(e.line).toBe(5);
    const badRange = writeFile('u4.conf', '[asbackup]\nparallel = 0\n');
    e = await usageError(backup(['--only-config-file', badRange]));
    expect(e.message).toBe(
      `Parse error \`Invalid parameter value for \`parallel\` in \`asbackup\` section\` in file [0:${badRange}]`,
    );
    const syntax = writeFile('u5.conf', '[asbackup\n');
    e = await usageError(backup(['--only-config-file', syntax]));
    expect(e.message).toMatch(/^Parse error `.+` in file \[0:.*u5\.conf\]$/);
  });

  it('asrestore keys: threads alias, bandwidth and tps', async () => {
    const conf = writeFile(
      'r.conf',
      '[asrestore]\nthreads = 8\nbandwidth = 2\ntps = 50\nset-list = "a, b"\ndirectory = "d"\n',
    );
    const o = await restore(['--config-file', conf]);
    expect([o.parallel, o.bandwidth, o.tps, o.setList]).toEqual([8, 2 * 1048576, 50, ['a', 'b']]);
  });

  it('--instance: cluster_X without fallback, tool section with fallback', async () => {
    const conf = writeFile(
      'i.conf',
      '[cluster]\nhost = "plain"\n[cluster_x]\nport = 5000\n[asbackup]\nnamespace = "plain"\ndirectory = "d"\n[asbackup_y]\nnamespace = "y"\n',
    );
    const x = await backup(['--config-file', conf, '--instance', 'x']);
    expect([x.cluster.host, x.cluster.port, x.namespace]).toEqual(['127.0.0.1', 5000, 'plain']);
    const y = await backup(['--config-file', conf, '--instance', 'y', '-d', 'd']);
    expect([y.cluster.host, y.namespace]).toEqual(['127.0.0.1', 'y']);
  });

  it('[include] file and directory, at most 3 levels deep', async () => {
    const leaf = writeFile('leaf.conf', '[asbackup]\ndirectory = "from-leaf"\n');
    const mid = writeFile('mid.conf', `[include]\nfile = "${leaf}"\n[asbackup]\nnamespace = "from-mid"\n`);
    const top = writeFile('top.conf', `[include]\nfile = "${mid}"\n`);
    const o = await backup(['--only-config-file', top]);
    expect([o.namespace, o.directory]).toEqual(['from-mid', 'from-leaf']);
    const l3 = writeFile('l3.conf', `[include]\nfile = "${top}"\n`);
    const l4 = writeFile('l4.conf', `[include]\nfile = "${l3}"\n`);
    const e = await usageError(backup(['--only-config-file', l4]));
    expect(e.detailLines).toContain('include max recursion level 4');
  });

  it('[include] directory loads every file, skipping broken ones', async () => {
    const incDir = join(dir, 'inc.d');
    mkdirSync(join(incDir, 'sub'), { recursive: true });
    writeFileSync(join(incDir, 'a.conf'), '[asbackup]\nnamespace = "from-dir"\n');
    writeFileSync(join(incDir, 'b.conf'), '[asbackup]\nbogus = 1\n');
    writeFileSync(join(incDir, 'sub', 'c.conf'), '[asbackup]\ndirectory = "from-sub"\n');
    const top = writeFile('dir-top.conf', `[include]\ndirectory = "${incDir}"\n`);
    const o = await backup(['--only-config-file', top]);
    expect([o.namespace, o.directory]).toEqual(['from-dir', 'from-sub']);
  });

  it('[secret-agent_X] replaces [secret-agent] with --instance', async () => {
    agent.putPlain('r', 'ns2', 'inst-ns');
    const dead = await unusedPort();
    const conf = writeFile(
      'sai.conf',
      `[secret-agent]\nsa-address = "127.0.0.1:${dead}"\n[secret-agent_x]\nsa-address = "127.0.0.1:${agent.port}"\n[asbackup]\nnamespace = "secrets:r:ns2"\ndirectory = "d"\n`,
    );
    expect((await backup(['--only-config-file', conf, '--instance', 'x'])).namespace).toBe('inst-ns');
    const e = await usageError(backup(['--only-config-file', conf]));
    expect(e.detailLines).toContain('secret agent request failed err code: 3');
  });

  it('secrets in config files use only the config [secret-agent] settings', async () => {
    agent
      .putPlain('backup', 'namespace', 'ns-from-agent')
      .putPlain('backup', 'parallel', '6')
      .putPlain('backup', 'compact', 'true');
    agent.putPlain('backup', 'ca', '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n');
    const conf = writeFile(
      's.conf',
      `[asbackup]\nnamespace = "secrets:backup:namespace"\nparallel = "secrets:backup:parallel"\ncompact = "secrets:backup:compact"\ndirectory = "d"\nmax-records = 5\n[cluster]\ntls-cafile = "secrets:backup:ca"\n[secret-agent]\nsa-address = "127.0.0.1:${agent.port}"\nsa-timeout = 2000\n[asrestore]\nnamespace = "secrets:restore:never"\n`,
    );
    const dead = await unusedPort();
    // The CLI --sa-port points nowhere: config-file secrets must not use it.
    const o = await backup(['--config-file', conf, '--sa-port', String(dead)]);
    expect([o.namespace, o.parallel, o.compact, o.maxRecords]).toEqual(['ns-from-agent', 6, true, 5]);
    expect(o.cluster.tls.cafile).toEqual({
      kind: 'content',
      data: Buffer.from('-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n'),
    });
    expect(agent.requests.map((r) => r.key).sort()).toEqual(['ca', 'compact', 'namespace', 'parallel']);
    expect(o.secretAgent).toEqual({ address: '127.0.0.1', port: String(dead), timeoutMs: 2000 });
  });

  it('[secret-agent] keys: sa-port string or integer, sa-timeout integer only, unknown keys rejected', async () => {
    agent.putPlain('r', 'ns', 'agentns');
    const ok = writeFile(
      'sa1.conf',
      `[secret-agent]\nsa-address = "127.0.0.1"\nsa-port = ${agent.port}\n[asbackup]\nnamespace = "secrets:r:ns"\ndirectory = "d"\n`,
    );
    expect((await backup(['--only-config-file', ok])).namespace).toBe('agentns');
    const badTimeout = writeFile('sa2.conf', '[secret-agent]\nsa-timeout = "10"\n');
    expect((await usageError(backup(['--only-config-file', badTimeout]))).message).toBe(
      `Parse error \`Invalid parameter value for \`sa-timeout\` in \`secret-agent\` section\` in file [0:${badTimeout}]`,
    );
    const unknown = writeFile('sa3.conf', '[secret-agent]\nsa-tls = "x"\n');
    expect((await usageError(backup(['--only-config-file', unknown]))).detailLines).toEqual([
      'Unknown parameter `sa-tls` in `secret-agent` section',
    ]);
  });

  it('a bad config value from a secret is not echoed', async () => {
    agent.putPlain('r', 'badport', '99999');
    const conf = writeFile(
      'sv.conf',
      `[secret-agent]\nsa-address = "127.0.0.1:${agent.port}"\n[cluster]\nport = "secrets:r:badport"\n`,
    );
    const e = await usageError(backup(['--only-config-file', conf, '-n', 'n', '-d', 'd']));
    expect(e.message).toBe(
      `Parse error \`Invalid parameter value for \`port\` in \`cluster\` section\` in file [0:${conf}]`,
    );
    expect(JSON.stringify(e)).not.toContain('99999');
  });

  it('a failing config secret names the reference and the file', async () => {
    const conf = writeFile(
      'sf.conf',
      `[secret-agent]\nsa-address = "127.0.0.1:${agent.port}"\n[asbackup]\nnamespace = "secrets:backup:missing"\n`,
    );
    const e = await usageError(backup(['--only-config-file', conf, '-d', 'd']));
    expect(e.message).toBe(`Parse error \`\` in file [0:${conf}]`);
    expect(e.detailLines.at(-1)).toBe('failed requesting secret: secrets:backup:missing');
    expect(e.detailLines).toContain('secret agent request failed err code: 1');
  });
});

describe('asrestore -y/-z: the source letters and the documented ones both work', () => {
  it('routes the documented spelling by its value', async () => {
    const documented = await restore(['-d', 'o', '-y', 'zstd', '-z', 'aes256', '--encryption-key-env', 'K']);
    expect([documented.compress, documented.encrypt]).toEqual(['zstd', 'aes256']);
    const source = await restore(['-d', 'o', '-z', 'zstd', '-y', 'aes128', '--encryption-key-env', 'K']);
    expect([source.compress, source.encrypt]).toEqual(['zstd', 'aes128']);
  });
  it('still rejects values neither option takes', async () => {
    expect((await usageError(restore(['-d', 'o', '-y', 'gzip']))).message).toContain(
      'Invalid encryption type "gzip"',
    );
  });
});
