/**
 * registry.k8s.io/pause (any tag; also k8s.gcr.io/pause): a process that does nothing until it is
 * stopped. Native: busybox's `sleep` (about 1 MB resident, against about 40 MB for a Node.js
 * program), which ends at once on SIGTERM or SIGINT.
 */
import type { ImageDefinition } from '../types';

export const pause: ImageDefinition = {
  repositories: ['registry.k8s.io/pause', 'k8s.gcr.io/pause'],
  runtime: 'native',
  entrypoint: ['/usr/bin/busybox', 'sleep', '2147483647'],
  cmd: [],
  sizeBytes: 320_368,
};
