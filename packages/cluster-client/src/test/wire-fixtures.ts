// Loads the captured traffic in shared/fixtures/wire/*.json and splits it into protos per
// direction, so tests (here and in the emulator) can replay real requests and replies.
import { readFileSync } from 'node:fs';
import { type Proto, splitProtos } from '../wire/proto.js';

export type WireFixtureName = 'node-client-wire' | 'official-tools-wire' | 'two-node-wire';

export interface CapturedProto extends Proto {
  phase: string;
}

export interface CapturedConversation {
  stream: number;
  phase: string;
  /** Service port of the node this conversation talks to (3000 when the capture does not say). */
  serverPort: number;
  /** Client → server protos in order. */
  requests: CapturedProto[];
  /** Server → client protos in order. */
  replies: CapturedProto[];
}

interface RawConversation {
  stream: number;
  phase: string;
  server_port?: number;
  messages: { dir: 'c2s' | 's2c'; phase: string; hex: string }[];
}

export const wireFixtureUrl = (name: WireFixtureName): URL =>
  new URL(`../../../../../shared/fixtures/wire/${name}.json`, import.meta.url);

/** Parses a wire fixture file; each direction's bytes are concatenated before splitting. */
export function loadWireFixture(name: WireFixtureName): CapturedConversation[] {
  const raw = JSON.parse(readFileSync(wireFixtureUrl(name), 'utf8')) as RawConversation[];
  return raw.map((c) => {
    const split = (dir: 'c2s' | 's2c'): CapturedProto[] => {
      const out: CapturedProto[] = [];
      for (const m of c.messages) {
        if (m.dir !== dir) continue;
        for (const p of splitProtos(Buffer.from(m.hex, 'hex'))) out.push({ ...p, phase: m.phase });
      }
      return out;
    };
    return {
      stream: c.stream,
      phase: c.phase,
      serverPort: c.server_port ?? 3000,
      requests: split('c2s'),
      replies: split('s2c'),
    };
  });
}
