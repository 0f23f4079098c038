// Authentication (wire spec §9): LOGIN once with the bcrypt credential, then AUTHENTICATE every
// new connection with the session token. Passwords never appear in errors or logs.
import bcrypt from 'bcryptjs';
import {
  AdminField,
  decodeAdminMessage,
  encodeAuthenticate,
  encodeLogin,
  type LoginCredentials,
} from '../wire/admin.js';
import { ProtoType } from '../wire/proto.js';
import { ResultCode, resultCodeName } from '../wire/result-code.js';
import type { Connection } from './connection.js';
import { ConnectionError } from './errors.js';

/** The fixed salt every official client uses to hash the password (cost 10). */
export const CREDENTIAL_SALT = '$2a$10$7EqJtq98hPqEX7fNZaFWoO';

/** bcrypt crypt string of a password, as sent in the CREDENTIAL field. */
export function hashPassword(password: string): string {
  return bcrypt.hashSync(password, CREDENTIAL_SALT);
}

export type AuthMode = 'INTERNAL' | 'EXTERNAL' | 'EXTERNAL_INSECURE' | 'PKI';

export interface AuthConfig {
  mode: AuthMode;
  /** Required except for PKI. */
  user?: string;
  /** Already resolved by the CLI (prompt, env:, file:, Secret Agent). */
  password?: string;
}

interface Session {
  token: Buffer;
  /** ms since epoch after which the token is renewed (TTL minus 60 s); Infinity if none. */
  expiresAt: number;
}

/**
 * Shared by every connection of a cluster: one login per node (tokens are per node, as in the
 * official clients), then the node's token authenticates its further connections.
 */
export class AuthSession {
  private readonly mode: AuthMode;
  private readonly user: string | undefined;
  private credential: string | undefined;
  private readonly clearPassword: string | undefined;
  private readonly sessions = new Map<string, Session>();

  constructor(cfg: AuthConfig) {
    this.mode = cfg.mode;
    if (cfg.mode !== 'PKI') {
      if (!cfg.user) throw new ConnectionError('AUTH', '--user', `auth mode ${cfg.mode} needs a user`);
      if (cfg.password === undefined)
        throw new ConnectionError('AUTH', '--password', `no password for user ${cfg.user}`);
      this.credential = hashPassword(cfg.password);
      if (cfg.mode !== 'INTERNAL') this.clearPassword = cfg.password;
    }
    this.user = cfg.mode === 'PKI' ? undefined : cfg.user;
  }

  private credentials(): LoginCredentials {
    if (this.mode === 'PKI') return { mode: 'pki' };
    const base = { user: this.user!, credential: this.credential! };
    if (this.mode === 'INTERNAL') return { mode: 'internal', ...base };
    return {
      mode: this.mode === 'EXTERNAL' ? 'external' : 'external-insecure',
      ...base,
      clearPassword: this.clearPassword!,
    };
  }

  /** Authenticates a freshly opened connection (login if no valid token yet). */
  async authenticate(conn: Connection, timeoutMs: number): Promise<void> {
    const s = this.sessions.get(conn.where);
    if (s && Date.now() < s.expiresAt) {
      const rc = await this.send(conn, encodeAuthenticate(this.user, s.token), timeoutMs);
      if (rc === ResultCode.OK || rc === ResultCode.SECURITY_NOT_ENABLED) return;
      if (rc !== ResultCode.EXPIRED_SESSION && rc !== ResultCode.NOT_AUTHENTICATED)
        throw this.refused(conn, rc);
      this.sessions.delete(conn.where); // fall through to a new login
    }
    await this.login(conn, timeoutMs);
  }

  private async login(conn: Connection, timeoutMs: number): Promise<void> {
    await conn.send(encodeLogin(this.credentials()));
    const reply = await conn.readProto(timeoutMs);
    if (reply.type !== ProtoType.ADMIN)
      throw new ConnectionError('AUTH', conn.where, `login answered with proto type ${reply.type}`);
    const msg = decodeAdminMessage(reply.body);
    if (msg.resultCode === ResultCode.SECURITY_NOT_ENABLED) return;
    if (msg.resultCode !== ResultCode.OK) throw this.refused(conn, msg.resultCode);
    const token = msg.fields.find((f) => f.id === AdminField.SESSION_TOKEN)?.data;
    const ttl = msg.fields.find((f) => f.id === AdminField.SESSION_TTL)?.data;
    if (!token) return; // older servers: no session, the login itself authenticated this socket
    const ttlSec = ttl && ttl.length >= 4 ? ttl.readUInt32BE(0) : 0;
    this.sessions.set(conn.where, {
      token: Buffer.from(token),
      expiresAt: ttlSec > 0 ? Date.now() + Math.max(0, ttlSec - 60) * 1000 : Number.POSITIVE_INFINITY,
    });
  }

  private async send(conn: Connection, buf: Buffer, timeoutMs: number): Promise<number> {
    const reply = await conn.request(buf, timeoutMs);
    if (reply.type !== ProtoType.ADMIN)
      throw new ConnectionError('AUTH', conn.where, `authenticate answered with proto type ${reply.type}`);
    return decodeAdminMessage(reply.body).resultCode;
  }

  private refused(conn: Connection, rc: number): ConnectionError {
    const who = this.user === undefined ? 'PKI certificate' : `user ${this.user}`;
    return new ConnectionError(
      'AUTH',
      conn.where,
      `authentication of ${who} failed: ${resultCodeName(rc)} (${rc})`,
    );
  }
}
