/**
 * Image references as containerd reads them (the grammar of the distribution/reference package):
 * `[domain/]path[:tag][@digest]`, with Docker Hub's defaults filled in, so 'nginx' and
 * 'docker.io/library/nginx:latest' name the same image, as they do in Kubernetes.
 */

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^((?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tagPattern}))?(?:@(${digestPattern}))?$`,
);
const HEX64 = /^[a-f0-9]{64}$/;

/**
 * A reference Kubernetes cannot parse. The kubelet reports the container Waiting with reason
 * InvalidImageName and this message (an InspectFailed event carries it too).
 */
export class InvalidImageNameError extends Error {
  override readonly name = 'InvalidImageNameError';
  readonly reason = 'InvalidImageName';
  constructor(
    readonly image: string,
    /** The parser's own words: 'invalid reference format', 'invalid reference format: repository name must be lowercase', ... */
    readonly parseError: string,
  ) {
    super(`Failed to apply default image tag "${image}": couldn't parse image reference "${image}": ${parseError}`);
  }
}

/** A parsed, normalised reference: the parts containerd uses to find an image. */
export interface ImageReference {
  /** 'docker.io', 'registry.k8s.io', 'localhost:5000'. */
  domain: string;
  /** 'library/nginx', 'blux2/hello-server'. */
  path: string;
  /** domain/path: 'docker.io/library/nginx'. */
  repository: string;
  /** The tag; 'latest' when the reference names neither a tag nor a digest. */
  tag?: string;
  /** 'sha256:<64 hex>' when the reference pins one. */
  digest?: string;
  /** As containerd names it: 'docker.io/library/nginx:latest', 'docker.io/library/nginx@sha256:...'. */
  normalized: string;
}

/**
 * Parses a reference as the kubelet and containerd do (ParseNormalizedNamed, then the default
 * tag 'latest' when there is neither tag nor digest). Throws InvalidImageNameError.
 */
export function parseReference(image: string): ImageReference {
  const fail = (cause: string): never => {
    throw new InvalidImageNameError(image, cause);
  };
  if (HEX64.test(image)) fail(`invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDockerDomain(image);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) fail('invalid reference format: repository name must be lowercase');
  const full = `${domain}/${remainder}`;
  const match = REFERENCE.exec(full);
  if (!match) {
    if (REFERENCE.test(full.toLowerCase())) fail('invalid reference format: repository name must be lowercase');
    fail('invalid reference format');
  }
  const [, name, tag, digest] = match as RegExpExecArray;
  if (name!.length > NAME_TOTAL_LENGTH_MAX) fail(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  if (digest !== undefined) validateDigest(digest, fail);
  const path = name!.slice(domain.length + 1);
  const effectiveTag = tag ?? (digest === undefined ? 'latest' : undefined);
  const normalized = `${name}${effectiveTag !== undefined ? `:${effectiveTag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  return { domain, path, repository: name!, tag: effectiveTag, digest, normalized };
}

/** 'nginx' -> 'docker.io/library/nginx:latest'; a reference with a domain, tag or digest keeps them. Throws InvalidImageNameError. */
export function normalizeReference(reference: string): string {
  return parseReference(reference).normalized;
}

/** Docker Hub is the default registry, and its one-part names live under 'library/'. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/** The digest package's checks: a known algorithm and its exact length. */
function validateDigest(digest: string, fail: (cause: string) => never): void {
  const [algorithm, hex] = digest.split(':') as [string, string];
  const lengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
  const length = lengths[algorithm];
  if (length === undefined) fail('unsupported digest algorithm');
  if (hex.length !== length) fail('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) fail('invalid checksum digest format');
}
