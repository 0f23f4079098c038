import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSignedCert, type TestCert } from '../test/certs.js';
import { FakeSecretAgent, unusedPort } from '../test/fake-secret-agent.js';
import {
  decodeSecretReply,
  fetchSecret,
  resolveAgentEndpoint,
  type SecretAgentConfig,
  SecretAgentError,
  secretToString,
  splitSecretRef,
} from './client.js';

async function failure(p: Promise<unknown>): Promise<SecretAgentError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SecretAgentError);
    return e as SecretAgentError;
  }
  throw new Error('expected a SecretAgentError');
}

describe('secret references', () => {
  it('splits at the last colon, empty resource means none', () => {
    expect(splitSecretRef('secrets:backup:host')).toEqual({ resource: 'backup', key: 'host' });
    expect(splitSecretRef('secrets:host')).toEqual({ resource: '', key: 'host' });
    expect(splitSecretRef('secrets::host')).toEqual({ resource: '', key: 'host' });
    expect(splitSecretRef('secrets:a:b:c')).toEqual({ resource: 'a:b', key: 'c' });
    expect(splitSecretRef('secrets:res:')).toEqual({ resource: 'res', key: '' });
  });
  it('rejects an empty key without a request', () => {
    expect(() => splitSecretRef('secrets:')).toThrow(SecretAgentError);
    try {
      splitSecretRef('secrets:');
    } catch (e) {
      expect((e as SecretAgentError).code).toBe(1);
      expect((e as SecretAgentError).details).toEqual(['ERR: empty secret key']);
    }
  });
});

describe('agent address parsing', () => {
  const ep = (address: string, port?: string) => resolveAgentEndpoint({ address, port, timeoutMs: 1 });
  it('handles the official forms and fixes the IPv6 defects', () => {
    expect(ep('127.0.0.1')).toEqual({ host: '127.0.0.1', port: 3005 });
    expect(ep('127.0.0.1:3005')).toEqual({ host: '127.0.0.1', port: 3005 });
    expect(ep('0.0.0.0:4000')).toEqual({ host: '0.0.0.0', port: 4000 });
    expect(ep('[::]:3005')).toEqual({ host: '::', port: 3005 });
    expect(ep('[::1]')).toEqual({ host: '::1', port: 3005 });
    expect(ep('::1')).toEqual({ host: '::1', port: 3005 });
    expect(ep('host:3005', '4000')).toEqual({ host: 'host', port: 4000 });
  });
  it('rejects bad ports and malformed brackets with code 2', () => {
    for (const [a, p] of [
      ['host:', undefined],
      ['h', '0'],
      ['h', '65536'],
      ['h', '3005abc'],
      ['[::1]x', undefined],
      ['[::1', undefined],
    ] as const) {
      try {
        ep(a, p);
        throw new Error(`accepted ${a}`);
      } catch (e) {
        expect((e as SecretAgentError).code).toBe(2);
      }
    }
  });
});

describe('reply decoding', () => {
  const dec = (s: string) => decodeSecretReply(Buffer.from(s));
  const code = (s: string) => {
    try {
      dec(s);
    } catch (e) {
      return (e as SecretAgentError).details[0];
    }
    return 'ok';
  };
  it('decodes strict base64 after trailing whitespace', () => {
    expect(dec('{"SecretValue":"MTI3LjAuMC4x\\n"}').toString()).toBe('127.0.0.1');
  });
  it('names each fault with the official line', () => {
    expect(code('{"SecretValue":"abc')).toBe('ERR: failed to parse response JSON line 1 (invalid JSON)');
    expect(code('{}')).toBe('ERR: failed to find "SecretValue" in response');
    expect(code('{"Other":1}')).toBe('ERR: failed to find "SecretValue" in response');
    expect(code('{"SecretValue":""}')).toBe('ERR: empty secret');
    expect(code('{"SecretValue":"  \\n"}')).toBe('ERR: whitespace-only secret');
    expect(code('{"SecretValue":"plain text"}')).toBe('ERR: failed to base64-decode secret');
    expect(code('{"SecretValue":"abc"}')).toBe('ERR: failed to base64-decode secret');
    expect(code('{"Error":"boom","SecretValue":"MTI3LjAuMC4x"}')).toBe('ERR: response: boom');
    expect(code('{"Error":"","SecretValue":"MTI3LjAuMC4x"}')).toBe('ERR: response: ');
  });
  it('never echoes the body of an unparseable reply', () => {
    let error: unknown;
    try {
      dec('{"SecretValue":"c2VjcmV0LXZhbHVl');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SecretAgentError);
    const text = [(error as SecretAgentError).message, ...(error as SecretAgentError).logLines()].join('\n');
    expect(text).not.toContain('c2VjcmV0LXZhbHVl');
  });
  it('cuts string values at NUL like the C tools', () => {
    expect(secretToString(Buffer.from('ab\0cd'))).toBe('ab');
  });
});

describe('fetchSecret against a plain fake agent', () => {
  const agent = new FakeSecretAgent();
  let cfg: SecretAgentConfig;
  beforeAll(async () => {
    await agent.start();
    agent.putPlain('pass', 'pass', '127.0.0.1').putPlain('backup', 'nul', 'ab\0cd');
    cfg = { address: `127.0.0.1:${agent.port}`, timeoutMs: 1000 };
  });
  afterAll(() => agent.stop());
  afterEach(() => {
    agent.mode = { kind: 'normal' };
    agent.requests.length = 0;
  });

  it('fetches a value and sends Resource then SecretKey', async () => {
    expect((await fetchSecret(cfg, 'secrets:pass:pass')).toString()).toBe('127.0.0.1');
    expect(agent.requests[0].rawBody).toBe('{"Resource":"pass","SecretKey":"pass"}');
  });
  it('leaves Resource out when empty', async () => {
    await failure(fetchSecret(cfg, 'secrets::host'));
    expect(agent.requests[0].rawBody).toBe('{"SecretKey":"host"}');
  });
  it('missing key and missing resource give code 1 with the agent error', async () => {
    const e = await failure(fetchSecret(cfg, 'secrets:pass:fakesecret'));
    expect(e.code).toBe(1);
    expect(e.details[0]).toBe('ERR: response: fakesecret not present in file /fake/pass.json');
    expect((await failure(fetchSecret(cfg, 'secrets:pass'))).code).toBe(1);
  });
  it('keeps bytes after NUL in the raw value', async () => {
    const v = await fetchSecret(cfg, 'secrets:backup:nul');
    expect(v).toEqual(Buffer.from('ab\0cd'));
  });
  it('uses the explicit port over the embedded one', async () => {
    const v = await fetchSecret(
      { ...cfg, address: '127.0.0.1:1', port: String(agent.port) },
      'secrets:pass:pass',
    );
    expect(v.toString()).toBe('127.0.0.1');
  });
  it('reassembles 1-byte writes', async () => {
    agent.mode = { kind: 'splitWrites' };
    expect((await fetchSecret(cfg, 'secrets:pass:pass')).toString()).toBe('127.0.0.1');
  });
  it('a reply slower than the timeout but within it succeeds', async () => {
    agent.mode = { kind: 'delay', ms: 20 };
    expect((await fetchSecret({ ...cfg, timeoutMs: 5000 }, 'secrets:pass:pass')).toString()).toBe(
      '127.0.0.1',
    );
  });
  it('silent agent: timeout, code 4', async () => {
    agent.mode = { kind: 'silent' };
    const e = await failure(fetchSecret({ ...cfg, timeoutMs: 100 }, 'secrets:pass:pass'));
    expect(e.code).toBe(4);
    expect(e.details[0]).toBe('ERR: socket poll timed out');
  });
  it('bad magic, too big, truncated, closed: code 3', async () => {
    agent.mode = { kind: 'badMagic' };
    let e = await failure(fetchSecret(cfg, 'secrets:pass:pass'));
    expect([e.code, e.details[0]]).toEqual([3, 'ERR: bad magic - deadbeef']);
    agent.mode = { kind: 'tooBig' };
    e = await failure(fetchSecret(cfg, 'secrets:pass:pass'));
    expect([e.code, e.details[0]]).toEqual([3, 'ERR: response too big - 102401']);
    agent.mode = { kind: 'truncated' };
    e = await failure(fetchSecret(cfg, 'secrets:pass:pass'));
    expect(e.code).toBe(3);
    expect(e.details[0]).toMatch(/^ERR: socket closed after \d+ of \d+ bytes$/);
    agent.mode = { kind: 'closeImmediately' };
    expect((await failure(fetchSecret(cfg, 'secrets:pass:pass'))).code).toBe(3);
  });
  it('error reply, missing and non-base64 values: code 1, value not logged', async () => {
    for (const body of [
      '{"Error":"boom"}',
      '{}',
      '{"SecretValue":"bm90IGxvZ2dlZA="}',
      '{"SecretValue":"plain text"}',
    ]) {
      agent.mode = { kind: 'rawBody', body };
      const e = await failure(fetchSecret(cfg, 'secrets:pass:pass'));
      expect(e.code).toBe(1);
      expect(e.logLines().join('\n')).not.toContain('bm90IGxvZ2dlZA');
      expect(e.logLines().join('\n')).not.toContain('plain text');
    }
  });
  it('refused connection: code 3', async () => {
    const port = await unusedPort();
    const e = await failure(
      fetchSecret({ address: '127.0.0.1', port: String(port), timeoutMs: 1000 }, 'secrets:pass:pass'),
    );
    expect(e.code).toBe(3);
    expect(e.details).toEqual([
      'ERR: connect failed: -1, errno: ECONNREFUSED',
      'ERR: failed to create socket',
    ]);
  });
  it('bad address and bad port: code 2', async () => {
    expect((await failure(fetchSecret({ address: '256.0.0.0', timeoutMs: 100 }, 'secrets:a:b'))).code).toBe(
      2,
    );
    expect(
      (await failure(fetchSecret({ address: '127.0.0.1', port: '0', timeoutMs: 100 }, 'secrets:a:b'))).code,
    ).toBe(2);
  });
  it('sends nothing for an empty key', async () => {
    expect((await failure(fetchSecret(cfg, 'secrets:'))).code).toBe(1);
    expect(agent.requests).toHaveLength(0);
  });
});

describe('fetchSecret over TLS', () => {
  let cert: TestCert;
  let other: TestCert;
  const agent = new FakeSecretAgent();
  let tlsAgent: FakeSecretAgent;
  beforeAll(async () => {
    cert = makeSelfSignedCert();
    other = makeSelfSignedCert({ cn: 'other' });
    tlsAgent = new FakeSecretAgent({ tls: cert });
    await tlsAgent.start();
    await agent.start();
    tlsAgent.putPlain('pass', 'pass', '127.0.0.1');
  });
  afterAll(async () => {
    await tlsAgent.stop();
    await agent.stop();
  });

  it('verifies the chain against the CA file, not the host name, and sends no SNI for an IP', async () => {
    const v = await fetchSecret(
      { address: '127.0.0.1', port: String(tlsAgent.port), timeoutMs: 2000, caPem: cert.cert },
      'secrets:pass:pass',
    );
    expect(v.toString()).toBe('127.0.0.1');
    expect(tlsAgent.requests.at(-1)?.servername).toBeFalsy();
  });
  it('rejects a certificate not signed by the CA file', async () => {
    const e = await failure(
      fetchSecret(
        { address: '127.0.0.1', port: String(tlsAgent.port), timeoutMs: 2000, caPem: other.cert },
        'secrets:pass:pass',
      ),
    );
    expect(e.code).toBe(3);
    expect(e.details[0]).toMatch(/^ERR: SSL_connect failed: /);
    expect(e.details[1]).toBe('ERR: tls connection failed: 3');
  });
  it('a CA file without certificates fails with code 3', async () => {
    const e = await failure(
      fetchSecret(
        { address: '127.0.0.1', port: String(tlsAgent.port), timeoutMs: 2000, caPem: Buffer.from('junk') },
        'secrets:pass:pass',
      ),
    );
    expect(e.details[0]).toBe('ERR: unable to load ca certificate from ca_string');
  });
  it('TLS client against a plain agent fails with code 3', async () => {
    const e = await failure(
      fetchSecret(
        { address: '127.0.0.1', port: String(agent.port), timeoutMs: 2000, caPem: cert.cert },
        'secrets:pass:pass',
      ),
    );
    expect(e.code).toBe(3);
  });
  it('a stalled handshake times out with code 4', async () => {
    agent.mode = { kind: 'tlsStall' };
    const e = await failure(
      fetchSecret(
        { address: '127.0.0.1', port: String(agent.port), timeoutMs: 100, caPem: cert.cert },
        'secrets:pass:pass',
      ),
    );
    expect(e.code).toBe(4);
    agent.mode = { kind: 'normal' };
  });
});
