import { describe, expect, it } from 'vitest';
import { AdminCommand, AdminField, decodeAdminMessage, encodeAuthenticate, encodeLogin } from './admin.js';
import {
  bitmapHas,
  decodeInfoRequest,
  decodeInfoResponse,
  encodeBitmap,
  encodeInfoRequest,
  encodeInfoResponse,
  parseInfoError,
  parseInfoList,
  parsePeers,
  parseReplicas,
} from './info.js';
import {
  decodeAsMsg,
  emptyHeader,
  encodeAsMsg,
  encodeMessage,
  FieldType,
  field,
  Info3,
  OpType,
  op,
} from './message.js';
import {
  decodeCompressedProto,
  encodeCompressedProto,
  encodeProto,
  readProtoHeader,
  splitProtos,
} from './proto.js';
import { encodeRecordReply, RecordReplyDecoder, type RecordReplyItem } from './record-reply.js';
import { resultCodeName } from './result-code.js';

describe('proto framing', () => {
  it('writes and checks the 8-byte header', () => {
    const p = encodeProto(3, Buffer.from('abc'));
    expect(p.subarray(0, 8).toString('hex')).toBe('0203000000000003');
    expect(readProtoHeader(p)).toEqual({ version: 2, type: 3, size: 3 });
    expect(() => readProtoHeader(Buffer.from('0303000000000000', 'hex'))).toThrow(/version 3/);
    expect(() => readProtoHeader(Buffer.from('0209000000000000', 'hex'))).toThrow(/unknown proto type 9/);
    expect(() => readProtoHeader(Buffer.from('0203010000000000', 'hex'))).toThrow(/exceeds 128 MiB/);
    expect(() => splitProtos(Buffer.from('020300000000000501', 'hex'))).toThrow(/truncated/);
  });

  it('round-trips a compressed (type 4) proto', () => {
    const inner = encodeMessage({ ...emptyHeader(), info3: Info3.LAST }, [
      field(FieldType.NAMESPACE, 'test'.repeat(50)),
    ]);
    const z = encodeCompressedProto(inner);
    const [outer] = splitProtos(z);
    expect(outer.type).toBe(4);
    const back = decodeCompressedProto(outer.body);
    expect(back.type).toBe(3);
    expect(back.body.equals(inner.subarray(8))).toBe(true);
    const bad = Buffer.from(outer.body);
    bad.writeBigUInt64BE(5n, 0);
    expect(() => decodeCompressedProto(bad)).toThrow(/announces 5/);
  });
});

describe('as_msg', () => {
  it('encodes and decodes header, fields and ops', () => {
    const header = {
      ...emptyHeader(),
      info2: 1,
      generation: 7,
      recordTtl: 0xffffffff,
      transactionTtl: 10000,
    };
    const fields = [field(FieldType.NAMESPACE, 'bar'), field(FieldType.SET, '')];
    const ops = [op(OpType.WRITE, 'n', 1, Buffer.from('000000000000001f', 'hex')), op(OpType.READ, '')];
    const buf = encodeAsMsg(header, fields, ops);
    const { msg, end } = decodeAsMsg(buf);
    expect(end).toBe(buf.length);
    expect(msg).toMatchObject(header);
    expect(msg.fields).toEqual(fields);
    expect(msg.ops).toEqual(ops);
    expect(() => decodeAsMsg(buf.subarray(0, buf.length - 1))).toThrow(/op 1 header truncated/);
    const bad = Buffer.from(buf);
    bad[0] = 20;
    expect(() => decodeAsMsg(bad)).toThrow(/header size 20/);
  });
});

describe('info', () => {
  it('encodes requests and parses answers by echoed command', () => {
    const req = encodeInfoRequest(['node', 'partition-generation', 'build']);
    expect(req.toString('hex')).toBe(
      '02010000000000206e6f64650a706172746974696f6e2d67656e65726174696f6e0a6275696c640a',
    );
    expect(decodeInfoRequest(req.subarray(8))).toEqual(['node', 'partition-generation', 'build']);
    const body = encodeInfoResponse([
      ['node', 'BB9'],
      ['sets/test', 'a=b\tc'],
    ]);
    expect(decodeInfoResponse(body)).toEqual(
      new Map([
        ['node', 'BB9'],
        ['sets/test', 'a=b\tc'],
      ]),
    );
    expect(() => encodeInfoRequest(['a\nb'])).toThrow(/newline/);
  });

  it('recognises error answers', () => {
    expect(parseInfoError('ERROR:4:unrecognized command')).toEqual({
      code: 4,
      message: 'unrecognized command',
    });
    expect(parseInfoError('FAIL:201:no index')).toEqual({ code: 201, message: 'no index' });
    expect(parseInfoError('error=not_found')).toEqual({ code: undefined, message: 'not_found' });
    expect(parseInfoError('ok')).toBeUndefined();
    expect(parseInfoList('ns=test:set=a:objects=1;ns=test:set=b:objects=2;')[1].get('objects')).toBe('2');
  });

  it('parses replicas bitmaps MSB-first', () => {
    const bm = encodeBitmap([2, 3, 4, 7, 4095]);
    expect(bm.subarray(0, 1).toString('hex')).toBe('39');
    const reps = parseReplicas(
      `test:0,2,${bm.toString('base64')},${encodeBitmap([0]).toString('base64')};bar:3,1,${bm.toString('base64')}`,
    );
    expect(reps.get('test')!.bitmaps).toHaveLength(2);
    expect(reps.get('bar')!.regime).toBe(3);
    expect(bitmapHas(reps.get('test')!.bitmaps[0], 4095)).toBe(true);
    expect(bitmapHas(reps.get('test')!.bitmaps[0], 1)).toBe(false);
    expect(() => parseReplicas('test:0,1,AAAA')).toThrow(/4 base64 chars/);
    expect(() => parseReplicas(`test:0,2,${bm.toString('base64')}`)).toThrow(/1 bitmaps/);
  });

  it('parses peers answers, with default ports, IPv6 and several hosts', () => {
    expect(parsePeers('0,3000,[]')).toEqual({ generation: 0, defaultPort: 3000, peers: [] });
    expect(
      parsePeers('7,3000,[[BB9020011AC4202,,[10.0.0.3]],[BB9030011AC4202,tls1,[10.0.0.4:3100,[fe80::1]]]]'),
    ).toEqual({
      generation: 7,
      defaultPort: 3000,
      peers: [
        { nodeName: 'BB9020011AC4202', tlsName: '', hosts: [{ host: '10.0.0.3', port: 3000 }] },
        {
          nodeName: 'BB9030011AC4202',
          tlsName: 'tls1',
          hosts: [
            { host: '10.0.0.4', port: 3100 },
            { host: 'fe80::1', port: 3000 },
          ],
        },
      ],
    });
    expect(() => parsePeers('2,3000,[[A,,[h]]')).toThrow(/peers answer/);
    expect(() => parsePeers('2,3000,[[A,,[h:99999]]]')).toThrow(/bad port/);
  });
});

describe('record reply decoder', () => {
  it('reports unavailable partitions and ends on LAST', () => {
    const marker = encodeAsMsg({
      ...emptyHeader(),
      info3: Info3.PARTITION_DONE,
      resultCode: 11,
      generation: 1234,
    });
    const last = encodeAsMsg({ ...emptyHeader(), info3: Info3.LAST });
    const d = new RecordReplyDecoder();
    const out: RecordReplyItem[] = [];
    d.decode(Buffer.concat([marker, last]), out);
    expect(out).toEqual([
      { kind: 'partition-unavailable', partitionId: 1234, resultCode: 11 },
      { kind: 'end', resultCode: 0 },
    ]);
    expect(d.done).toBe(true);
    expect(() => d.decode(last, out)).toThrow(/after the end/);
  });

  it('treats a record-less error message as the end', () => {
    const d = new RecordReplyDecoder();
    const out: RecordReplyItem[] = [];
    d.decode(encodeAsMsg({ ...emptyHeader(), resultCode: 4 }), out);
    expect(out).toEqual([{ kind: 'end', resultCode: 4 }]);
  });

  it('decodes what encodeRecordReply builds, with and without bins', () => {
    const record = {
      kind: 'record' as const,
      namespace: 'test',
      digest: Buffer.alloc(20, 3),
      set: 'odd set',
      key: { type: 3 as const, value: Buffer.from('k') },
      generation: 5,
      voidTime: 533083946,
      bins: [
        { name: '', type: 23 as const, value: Buffer.from('{"type":"Point","coordinates":[0,0]}') },
        { name: 'big', type: 1 as const, value: -(2n ** 63n) },
      ],
    };
    const out: RecordReplyItem[] = [];
    new RecordReplyDecoder().decode(
      Buffer.concat([encodeRecordReply(record), encodeRecordReply(record, true)]),
      out,
    );
    expect(out[0]).toEqual(record);
    expect(out[1]).toEqual({ ...record, bins: [] });
  });

  it('refuses a record without digest', () => {
    const d = new RecordReplyDecoder();
    expect(() => d.decode(encodeAsMsg(emptyHeader(), [field(FieldType.NAMESPACE, 'test')]), [])).toThrow(
      /without DIGEST/,
    );
  });
});

describe('admin and result codes', () => {
  it('encodes login and authenticate', () => {
    const login = encodeLogin({ mode: 'internal', user: 'u', credential: '$2a$10$x' });
    const msg = decodeAdminMessage(login.subarray(8));
    expect(login[1]).toBe(2);
    expect(msg.command).toBe(AdminCommand.LOGIN);
    expect(msg.fields.map((f) => f.id)).toEqual([AdminField.USER, AdminField.CREDENTIAL]);
    const ext = decodeAdminMessage(
      encodeLogin({ mode: 'external', user: 'u', credential: 'c', clearPassword: 'p' }).subarray(8),
    );
    expect(ext.fields.map((f) => f.id)).toEqual([0, 3, 4]);
    expect(decodeAdminMessage(encodeLogin({ mode: 'pki' }).subarray(8)).fields).toEqual([]);
    const auth = decodeAdminMessage(encodeAuthenticate(undefined, Buffer.from('tok')).subarray(8));
    expect(auth).toEqual({ resultCode: 0, command: 0, fields: [{ id: 5, data: Buffer.from('tok') }] });
    expect(
      decodeAdminMessage(Buffer.from('0033000000000000000000000000000000', 'hex').subarray(0, 16)).resultCode,
    ).toBe(0x33);
  });

  it('names result codes', () => {
    expect(resultCodeName(5)).toBe('KEY_EXISTS');
    expect(resultCodeName(11)).toBe('PARTITION_UNAVAILABLE');
    expect(resultCodeName(249)).toBe('RESULT_CODE_249');
  });
});
