import path from 'node:path';
import type { ImageDefinition, ResolvedImage } from '@kubelab/images';

/** A catalogue for the runtime's tests: busybox and two small Node.js programs from this folder. */
const definitions: Record<string, ImageDefinition> = {
  busybox: { repositories: ['docker.io/library/busybox'], runtime: 'native', entrypoint: [], cmd: ['sh'], sizeBytes: 2_000_000 },
  'hello-server': {
    repositories: ['docker.io/test/hello-server'],
    runtime: 'node',
    entrypoint: [path.join(__dirname, 'hello-server.js')],
    cmd: [],
    env: { PORT: '0' },
    sizeBytes: 10_000_000,
  },
  leak: { repositories: ['docker.io/test/leak'], runtime: 'node', entrypoint: [path.join(__dirname, 'leak.js')], cmd: [], sizeBytes: 10_000_000 },
};

export function testResolveImage(reference: string): ResolvedImage | undefined {
  const name = reference.split(':')[0]!;
  const definition = definitions[name];
  if (!definition) return undefined;
  const ref = `${definition.repositories[0]}:${reference.split(':')[1] ?? 'latest'}`;
  return { definition, reference: ref, imageID: `${definition.repositories[0]}@sha256:${'0'.repeat(64)}` };
}
