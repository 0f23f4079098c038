// Internal authentication (admin protocol, wire-protocol §9): LOGIN with USER + CREDENTIAL, where
// the credential is bcrypt(password) with the fixed client salt, answered with a session token;
// AUTHENTICATE with USER + SESSION_TOKEN on later connections.

import { randomBytes } from 'node:crypto';
import {
  AdminCommand,
  AdminField,
  decodeAdminMessage,
  encodeAdminMessage,
} from '@asbkit/cluster-client/wire';
import bcrypt from 'bcryptjs';
import { ResultCode } from './faults.js';

/** The salt every Aerospike client uses to hash a password into its credential. */
export const CLIENT_CREDENTIAL_SALT = '$2a$10$7EqJtq98hPqEX7fNZaFWoO';
export const SESSION_TTL_SECONDS = 86_400;

export function credentialOf(password: string): string {
  return bcrypt.hashSync(password, CLIENT_CREDENTIAL_SALT);
}

/** Users and live session tokens of one cluster. */
export class UserRegistry {
  private readonly credentials = new Map<string, string>();
  private readonly sessions = new Map<string, string>(); // token hex -> user

  constructor(users: Record<string, string>) {
    for (const [user, password] of Object.entries(users)) this.credentials.set(user, credentialOf(password));
  }

  login(user: string, credential: string): { code: number; token?: Buffer } {
    const expected = this.credentials.get(user);
    if (expected === undefined) return { code: ResultCode.INVALID_USER };
    if (expected !== credential) return { code: ResultCode.INVALID_PASSWORD };
    const token = randomBytes(32);
    this.sessions.set(token.toString('hex'), user);
    return { code: ResultCode.OK, token };
  }

  authenticate(user: string, token: Buffer): number {
    const owner = this.sessions.get(token.toString('hex'));
    if (owner === undefined) return ResultCode.EXPIRED_SESSION;
    return owner === user ? ResultCode.OK : ResultCode.INVALID_CREDENTIAL;
  }

  /** Forgets every session (tests of re-login). */
  expireSessions(): void {
    this.sessions.clear();
  }
}

/** Authentication state of one connection. */
export class AuthState {
  authenticated = false;

  constructor(
    private readonly users: UserRegistry,
    private readonly log: (line: string) => void,
  ) {}

  async handle(body: Buffer): Promise<Buffer> {
    let msg: ReturnType<typeof decodeAdminMessage>;
    try {
      msg = decodeAdminMessage(body);
    } catch (err) {
      this.log(`admin message refused: ${(err as Error).message}`);
      return encodeAdminMessage(0, [], ResultCode.PARAMETER);
    }
    const get = (id: number) => msg.fields.find((f) => f.id === id)?.data;
    const user = get(AdminField.USER)?.toString('utf8') ?? '';
    if (msg.command === AdminCommand.LOGIN) {
      const credential = get(AdminField.CREDENTIAL)?.toString('utf8');
      if (credential === undefined) {
        this.log('login refused: only internal authentication (USER + CREDENTIAL) is emulated');
        return encodeAdminMessage(msg.command, [], ResultCode.INVALID_CREDENTIAL);
      }
      const { code, token } = this.users.login(user, credential);
      if (code !== ResultCode.OK || !token) return encodeAdminMessage(msg.command, [], code);
      this.authenticated = true;
      const ttl = Buffer.alloc(4);
      ttl.writeUInt32BE(SESSION_TTL_SECONDS);
      return encodeAdminMessage(msg.command, [
        { id: AdminField.SESSION_TOKEN, data: token },
        { id: AdminField.SESSION_TTL, data: ttl },
      ]);
    }
    if (msg.command === AdminCommand.AUTHENTICATE) {
      const token = get(AdminField.SESSION_TOKEN);
      const code = token ? this.users.authenticate(user, token) : ResultCode.NOT_AUTHENTICATED;
      this.authenticated = code === ResultCode.OK;
      return encodeAdminMessage(msg.command, [], code);
    }
    this.log(`admin command ${msg.command} refused: user/role administration is not emulated`);
    return encodeAdminMessage(msg.command, [], 54);
  }
}
