/**
 * The built-in image catalogue: what kubelab "pulls". A reference names one entry (one file per
 * image in images/); anything else fails to pull as it would from a real registry.
 */
import { createHash } from 'node:crypto';
import { busybox } from './images/busybox';
import { delayFailServer } from './images/delayfailserver';
import { helloApp } from './images/hello-app';
import { helloServer, helloServerLeaky } from './images/hello-server';
import { nginx } from './images/nginx';
import { p4app } from './images/p4app';
import { pause } from './images/pause';
import { redis } from './images/redis';
import { InvalidImageNameError, parseReference, type ImageReference } from './reference';
import type { ImageDefinition, ResolvedImage } from './types';

/**
 * Every built-in image. Adding one: a file in images/ exporting its ImageDefinition, and one line
 * here. A repository may have several entries with disjoint tags (blux2/hello-server: 1.6 and 1.8
 * native, 1.7 a Node.js program).
 */
export const CATALOGUE: readonly ImageDefinition[] = [
  nginx,
  helloServer,
  helloServerLeaky,
  delayFailServer,
  p4app,
  redis,
  busybox,
  pause,
  helloApp,
];

/** Registries that answer "not found" for a repository they do not have (Docker Hub answers "access denied"). */
const PUBLIC_REGISTRIES = new Set(['registry.k8s.io', 'k8s.gcr.io', 'gcr.io', 'ghcr.io', 'quay.io', 'public.ecr.aws', 'mcr.microsoft.com', 'registry.gitlab.com']);

function entriesFor(reference: ImageReference): ImageDefinition[] {
  return CATALOGUE.filter((definition) => definition.repositories.includes(reference.repository));
}

/** The digest a tag of an entry "has": stable per entry and tag, so a container's imageID never changes. */
function digestOf(definition: ImageDefinition, tag: string | undefined): string {
  return `sha256:${createHash('sha256').update(`${definition.repositories[0]}:${tag ?? 'latest'}`).digest('hex')}`;
}

/**
 * The catalogue entry a reference names ('nginx', 'blux2/hello-server:1.7',
 * 'registry.k8s.io/pause:3.10', 'nginx@sha256:...'), with the names Kubernetes shows; undefined
 * when the catalogue has no such image (or the reference cannot be parsed). The returned
 * definition's env already holds the tag's own ENV.
 */
export function resolveImage(reference: string): ResolvedImage | undefined {
  let parsed: ImageReference;
  try {
    parsed = parseReference(reference);
  } catch {
    return undefined;
  }
  const entries = entriesFor(parsed);
  let definition: ImageDefinition | undefined;
  let tag = parsed.tag;
  if (parsed.digest !== undefined) {
    // A pinned digest: one a listed tag has, or any digest of an image that serves every tag.
    for (const entry of entries) {
      const pinned = entry.tags?.find((candidate) => digestOf(entry, candidate) === parsed.digest);
      if (pinned !== undefined) {
        definition = entry;
        tag = pinned;
        break;
      }
    }
    definition ??= entries.find((entry) => entry.tags === undefined);
  } else {
    definition = entries.find((entry) => entry.tags === undefined || entry.tags.includes(tag!));
  }
  if (!definition) return undefined;
  const { envForTag, ...rest } = definition;
  const env = { ...definition.env, ...envForTag?.(tag) };
  return {
    definition: { ...rest, env },
    reference: parsed.normalized,
    imageID: `${parsed.repository}@${parsed.digest ?? digestOf(definition, tag)}`,
  };
}

/**
 * Why a reference cannot be pulled, in containerd's words as the kubelet shows them after
 * `Failed to pull image "<image>": ` (the Failed event; the ErrImagePull message):
 * a known repository without that tag is NotFound; a repository Docker Hub does not have is
 * "pull access denied"; an unknown registry host does not resolve. An unparseable reference
 * gets the kubelet's InvalidImageName message instead.
 */
export function pullFailureMessage(reference: string): string {
  let parsed: ImageReference;
  try {
    parsed = parseReference(reference);
  } catch (error) {
    if (error instanceof InvalidImageNameError) return error.message;
    throw error;
  }
  const image = parsed.normalized;
  const prefix = `failed to pull and unpack image "${image}": failed to resolve reference "${image}"`;
  if (entriesFor(parsed).length > 0 || PUBLIC_REGISTRIES.has(parsed.domain)) {
    return `rpc error: code = NotFound desc = ${prefix}: ${image}: not found`;
  }
  if (parsed.domain === 'docker.io') {
    return (
      `rpc error: code = Unknown desc = ${prefix}: pull access denied, repository does not exist or may require ` +
      'authorization: server message: insufficient_scope: authorization failed'
    );
  }
  const manifest = `https://${parsed.domain}/v2/${parsed.path}/manifests/${parsed.digest ?? parsed.tag}`;
  const [host = parsed.domain, port = '443'] = parsed.domain.startsWith('[') ? [parsed.domain] : parsed.domain.split(':');
  const local = host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  const dial = local
    ? `dial tcp ${host === 'localhost' ? '127.0.0.1' : host}:${port}: connect: connection refused`
    : `dial tcp: lookup ${host}: no such host`;
  return `rpc error: code = Unknown desc = ${prefix}: failed to do request: Head "${manifest}": ${dial}`;
}
