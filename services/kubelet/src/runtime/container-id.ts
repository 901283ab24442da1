import { randomFillSync } from 'node:crypto';
import { CONTAINER_ID_SCHEME } from './layout';

const ID_BYTES = 32;
/** Random bytes for 64 IDs, drawn in one call (a burst of pod starts draws many). */
const pool = Buffer.alloc(ID_BYTES * 64);
let used = pool.length;

/** A new container ID: 'kubelab://' and 64 hex digits, shaped like containerd's 'containerd://<sha256>'. */
export function newContainerId(): string {
  if (used + ID_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + ID_BYTES);
  used += ID_BYTES;
  return CONTAINER_ID_SCHEME + hex;
}
