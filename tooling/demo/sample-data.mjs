// A small data set with one bin of every particle type a backup carries, built in code so the
// demo needs nothing but this repository.
import { ParticleType as P } from '@asbkit/asb-format';
import { computeDigest } from '@asbkit/partition-filters';

const utf8 = (s) => Buffer.from(s, 'utf8');
// Server msgpack particles: strings inside CDTs carry a 0x03 type byte after the str header.
const LIST_1_A = Buffer.from([0x92, 0x01, 0xa2, 0x03, 0x61]); // [1, "a"]
const MAP_K_1 = Buffer.from([0x81, 0xa2, 0x03, 0x6b, 0x01]); // {"k": 1}
const ORDERED_LIST = Buffer.from([0x94, 0xc7, 0x00, 0x01, 0x01, 0x03, 0x05]); // ordered [1,3,5]

export function sampleRecords(namespace, count = 1000) {
  const records = [];
  const now = Math.floor(Date.now() / 1000) - 1262304000;
  for (let i = 0; i < count; i++) {
    const set = i % 3 === 0 ? 'demo' : i % 3 === 1 ? 'other set' : undefined;
    const key = i % 2 === 0 ? { type: P.INTEGER, value: i } : { type: P.STRING, value: utf8(`key-${i}`) };
    const bins = [
      { name: 'int', type: P.INTEGER, value: i * 7 - 3000 },
      { name: 'big', type: P.INTEGER, value: 2n ** 62n + BigInt(i) },
      { name: 'dbl', type: P.FLOAT, value: i % 10 === 0 ? 2.0 : i / 3 },
      { name: 'str', type: P.STRING, value: utf8(`hello ${i}\nwith a line feed`) },
      { name: 'blob', type: P.BLOB, value: Buffer.from([0, 10, 32, 92, i & 0xff]) },
      { name: 'bool', type: P.BOOL, value: i % 2 === 0 },
      { name: 'list', type: P.LIST, value: i % 5 === 0 ? ORDERED_LIST : LIST_1_A },
      { name: 'map', type: P.MAP, value: MAP_K_1 },
      { name: 'geo', type: P.GEOJSON, value: utf8(`{"type":"Point","coordinates":[${i % 180},1.5]}`) },
      { name: 'bin with space', type: P.STRING, value: utf8('spaced') },
    ];
    records.push({
      kind: 'record',
      namespace,
      digest: computeDigest(set ?? '', key),
      set,
      key: i % 4 === 3 ? undefined : key,
      generation: 1 + (i % 5),
      voidTime: i % 4 === 0 ? 0 : now + 86400 * (1 + (i % 30)),
      bins,
    });
  }
  return records;
}
