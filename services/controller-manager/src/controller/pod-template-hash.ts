import { semanticEqual } from './semantic-equal';

/**
 * The `pod-template-hash` label (apps.DefaultDeploymentUniqueLabelKey): a Deployment names each
 * ReplicaSet `<deployment>-<hash of its pod template>` and puts the hash on the ReplicaSet's
 * selector and template, so the pods of two revisions never select each other.
 */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The alphabet of rand.SafeEncodeString: no vowels (no words), no 0/1/3 (no look-alikes). */
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod template as workloads carry it (v1.PodTemplateSpec). */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  spec?: Record<string, unknown>;
}

/**
 * controller.ComputeHash: FNV-32a of the template, then of the collision count (when the
 * Deployment has one) as 8 little-endian bytes, its decimal value spelled with SafeEncodeString.
 * Kubernetes feeds the hash with Go's printout of the PodTemplateSpec struct (every field, nil or
 * not); here it is fed with the template's canonical JSON (sorted keys, empty values left out), so
 * the value is stable and has Kubernetes' alphabet and length, but is not the same number.
 */
export function computeHash(template: PodTemplate | undefined, collisionCount?: number | null): string {
  let hash = fnv32a(0x811c9dc5, Buffer.from(canonicalJson(template ?? {}), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    hash = fnv32a(hash, bytes);
  }
  return safeEncodeString(String(hash));
}

/** rand.SafeEncodeString: each character mapped into the safe alphabet by its code. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHANUMS[ch.codePointAt(0)! % SAFE_ALPHANUMS.length];
  return out;
}

/**
 * deploymentutil.EqualIgnoreHash: two pod templates are the same revision when they are
 * semantically equal once the pod-template-hash label is taken off both. This, not the hash,
 * is how a Deployment finds the ReplicaSet of its current template (so a rollback finds the old one).
 */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return semanticEqual(withoutHashLabel(a), withoutHashLabel(b));
}

/** A copy of the template without the pod-template-hash label. */
export function withoutHashLabel(template: PodTemplate | undefined): PodTemplate {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/**
 * JSON with sorted keys, where an absent value, null, an empty list and an empty map are the same
 * thing (as apimachinery's semantic equality treats nil and empty slices and maps).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value) ?? null);
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item) ?? null);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = normalize((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

/** FNV-1a, 32 bits (hash/fnv New32a), continued from `seed` (0x811c9dc5 to start). */
export function fnv32a(seed: number, bytes: Uint8Array): number {
  let hash = seed >>> 0;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
