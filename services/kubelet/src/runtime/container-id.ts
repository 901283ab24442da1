import { randomBytes } from 'node:crypto';
import { CONTAINER_ID_SCHEME } from './layout';

/** A new container ID: 'kubelab://' and 64 hex digits, shaped like containerd's 'containerd://<sha256>'. */
export function newContainerId(): string {
  return CONTAINER_ID_SCHEME + randomBytes(32).toString('hex');
}
