// The per-record write policy (docs/architecture.md), declared structurally so cluster-client does
// not depend on @asbkit/write-policy, and its mapping onto the AS_MSG info bits (wire spec §7.2).

import { Info2, Info3 } from '../wire/message.js';

export type ExistsPolicy = 'update' | 'create-only' | 'create-or-replace' | 'replace-only' | 'update-only';
export type GenerationPolicy = 'none' | 'eq' | 'gt';

export interface RecordWritePolicy {
  exists: ExistsPolicy;
  /** Expected generation = the record's generation. */
  generation: GenerationPolicy;
  /** Seconds to send; 0xFFFFFFFF (-1) = never expire, 0 = namespace default, -2 = keep. */
  ttl: number;
  /** Send the stored user key (when the record has one); otherwise digest only. */
  sendKey: boolean;
}

/** info2 bits for a policy, WRITE included (RESPOND_ALL_OPS is the batch builder's business). */
export function info2Of(policy: RecordWritePolicy): number {
  let info2 = Info2.WRITE;
  if (policy.generation === 'eq') info2 |= Info2.GENERATION;
  else if (policy.generation === 'gt') info2 |= Info2.GENERATION_GT;
  if (policy.exists === 'create-only') info2 |= Info2.CREATE_ONLY;
  return info2;
}

export function info3Of(policy: RecordWritePolicy): number {
  switch (policy.exists) {
    case 'update-only':
      return Info3.UPDATE_ONLY;
    case 'replace-only':
      return Info3.REPLACE_ONLY;
    case 'create-or-replace':
      return Info3.CREATE_OR_REPLACE;
    default:
      return 0;
  }
}

/** The header generation: the record's own when a generation check is asked for, else 0. */
export function expectedGenerationOf(policy: RecordWritePolicy, generation: number): number {
  return policy.generation === 'none' ? 0 : generation >>> 0;
}
