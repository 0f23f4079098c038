import { describe, expect, it } from 'vitest';
import { clusterConnectOptions } from './cluster-connect.js';
import type { ClusterOptions } from './options/types.js';

const base: ClusterOptions = {
  host: '10.0.0.1:tls1:4333,10.0.0.2',
  port: 3000,
  servicesAlternate: true,
  authMode: 'internal',
  tls: { enable: false, crlCheck: false, crlCheckAll: false, logSessionInfo: false },
};

describe('clusterConnectOptions', () => {
  it('passes seeds and port through and leaves TLS and auth off by default', () => {
    expect(clusterConnectOptions(base)).toEqual({
      hosts: '10.0.0.1:tls1:4333,10.0.0.2',
      port: 3000,
      tls: undefined,
      auth: undefined,
      servicesAlternate: true,
    });
  });

  it('maps TLS paths to files and Secret Agent content to content', () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----');
    const o = clusterConnectOptions({
      ...base,
      user: 'admin',
      password: 'pw',
      tls: {
        ...base.tls,
        enable: true,
        cafile: { kind: 'content', data: pem },
        certfile: { kind: 'path', path: '/etc/cert.pem' },
        keyfile: { kind: 'content', data: Buffer.from('key') },
        keyfilePassword: 'kp',
        crlCheckAll: true,
      },
    });
    expect(o.tls).toMatchObject({
      enable: true,
      ca: pem,
      caFile: undefined,
      certFile: '/etc/cert.pem',
      cert: undefined,
      key: Buffer.from('key'),
      keyFile: undefined,
      keyPassword: 'kp',
      crlCheckAll: true,
    });
    expect(o.auth).toEqual({ mode: 'INTERNAL', user: 'admin', password: 'pw' });
  });

  it('logs in with PKI without a user', () => {
    expect(clusterConnectOptions({ ...base, authMode: 'pki' }).auth).toEqual({
      mode: 'PKI',
      user: undefined,
      password: undefined,
    });
  });
});
