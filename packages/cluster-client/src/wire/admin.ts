// Admin (security) messages, proto type 2 (wire spec §9): LOGIN and AUTHENTICATE.
import { WireDecodeError } from './errors.js';
import { PROTO_HEADER_SIZE, ProtoType, writeProtoHeader } from './proto.js';

export const AdminCommand = { AUTHENTICATE: 0, LOGIN: 20 } as const;
export const AdminField = {
  USER: 0,
  PASSWORD: 1,
  OLD_PASSWORD: 2,
  CREDENTIAL: 3,
  CLEAR_PASSWORD: 4,
  SESSION_TOKEN: 5,
  SESSION_TTL: 6,
} as const;

export const ADMIN_HEADER_SIZE = 16;

export interface AdminField {
  id: number;
  data: Buffer;
}

/** A complete admin proto: 16-byte header then fields (BE u32 length+1, id, data). */
export function encodeAdminMessage(command: number, fields: readonly AdminField[], resultCode = 0): Buffer {
  let size = ADMIN_HEADER_SIZE;
  for (const f of fields) size += 5 + f.data.length;
  const buf = Buffer.alloc(PROTO_HEADER_SIZE + size);
  writeProtoHeader(buf, 0, ProtoType.ADMIN, size);
  buf[PROTO_HEADER_SIZE + 1] = resultCode;
  buf[PROTO_HEADER_SIZE + 2] = command;
  buf[PROTO_HEADER_SIZE + 3] = fields.length;
  let off = PROTO_HEADER_SIZE + ADMIN_HEADER_SIZE;
  for (const f of fields) {
    buf.writeUInt32BE(f.data.length + 1, off);
    buf[off + 4] = f.id;
    f.data.copy(buf, off + 5);
    off += 5 + f.data.length;
  }
  return buf;
}

export interface AdminMessage {
  resultCode: number;
  command: number;
  fields: AdminField[];
}

/** Decodes an admin body (after the proto header). */
export function decodeAdminMessage(body: Buffer): AdminMessage {
  if (body.length < ADMIN_HEADER_SIZE) throw new WireDecodeError('admin message shorter than 16 bytes', 0);
  const n = body[3];
  const fields: AdminField[] = [];
  let off = ADMIN_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    if (body.length - off < 5) throw new WireDecodeError(`admin field ${i} truncated`, off);
    const size = body.readUInt32BE(off);
    if (size < 1 || off + 4 + size > body.length)
      throw new WireDecodeError(`admin field ${i} size ${size}`, off);
    fields.push({ id: body[off + 4], data: body.subarray(off + 5, off + 4 + size) });
    off += 4 + size;
  }
  return { resultCode: body[1], command: body[2], fields };
}

export type LoginCredentials =
  | { mode: 'internal'; user: string; credential: string }
  | { mode: 'external' | 'external-insecure'; user: string; credential: string; clearPassword: string }
  | { mode: 'pki' };

/** LOGIN request. `credential` is the bcrypt crypt string of the password. */
export function encodeLogin(c: LoginCredentials): Buffer {
  if (c.mode === 'pki') return encodeAdminMessage(AdminCommand.LOGIN, []);
  const fields: AdminField[] = [
    { id: AdminField.USER, data: Buffer.from(c.user, 'utf8') },
    { id: AdminField.CREDENTIAL, data: Buffer.from(c.credential, 'utf8') },
  ];
  if (c.mode !== 'internal')
    fields.push({ id: AdminField.CLEAR_PASSWORD, data: Buffer.from(c.clearPassword, 'utf8') });
  return encodeAdminMessage(AdminCommand.LOGIN, fields);
}

/** AUTHENTICATE request with a session token (no user for PKI). */
export function encodeAuthenticate(user: string | undefined, token: Buffer): Buffer {
  const fields: AdminField[] = [];
  if (user !== undefined) fields.push({ id: AdminField.USER, data: Buffer.from(user, 'utf8') });
  fields.push({ id: AdminField.SESSION_TOKEN, data: token });
  return encodeAdminMessage(AdminCommand.AUTHENTICATE, fields);
}
