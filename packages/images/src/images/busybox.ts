/**
 * busybox (any tag): the real thing. A native image: the kubelab runtime runs the container's
 * command with Debian's busybox applets on PATH (/usr/bin/busybox), so `sleep 9999`, `sh -c ...`,
 * `wget`, `nslookup` are the real programs. Nothing to implement here beyond the definition.
 */
import type { ImageDefinition } from '../types';

export const busybox: ImageDefinition = {
  repositories: ['docker.io/library/busybox'],
  runtime: 'native',
  entrypoint: [],
  // The image's CMD.
  cmd: ['sh'],
  sizeBytes: 2_152_262,
};
