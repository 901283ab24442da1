import { describe, expect, it } from 'vitest';
import { InvalidImageNameError, normalizeReference, parseReference } from './reference';

describe('normalizeReference', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25.3', 'docker.io/library/nginx:1.25.3'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/library/redis:7', 'docker.io/library/redis:7'],
    ['blux2/hello-server:1.6', 'docker.io/blux2/hello-server:1.6'],
    ['kurokobo/p4app:0.0.1', 'docker.io/kurokobo/p4app:0.0.1'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['gcr.io/google-samples/hello-app:1.0', 'gcr.io/google-samples/hello-app:1.0'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
    ['my-registry.example.com:443/a__b/c-d.e:tag_1.2-x', 'my-registry.example.com:443/a__b/c-d.e:tag_1.2-x'],
  ])('%s -> %s', (reference, normalized) => {
    expect(normalizeReference(reference)).toBe(normalized);
  });

  it('keeps a digest, and adds no default tag to it', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(normalizeReference(`nginx@${digest}`)).toBe(`docker.io/library/nginx@${digest}`);
    expect(normalizeReference(`nginx:1.25@${digest}`)).toBe(`docker.io/library/nginx:1.25@${digest}`);
    expect(parseReference(`nginx@${digest}`)).toMatchObject({ domain: 'docker.io', path: 'library/nginx', tag: undefined, digest });
  });

  it('splits domain and path as Docker does: a first part with a dot, a colon or "localhost" is a registry', () => {
    expect(parseReference('blux2/hello-server:1.7')).toMatchObject({ domain: 'docker.io', path: 'blux2/hello-server', repository: 'docker.io/blux2/hello-server', tag: '1.7' });
    expect(parseReference('registry.k8s.io/pause')).toMatchObject({ domain: 'registry.k8s.io', path: 'pause', tag: 'latest' });
    expect(parseReference('localhost:5000/x')).toMatchObject({ domain: 'localhost:5000', path: 'x' });
  });

  it.each([
    ['Nginx', 'invalid reference format: repository name must be lowercase'],
    ['blux2/Hello-Server:1.6', 'invalid reference format: repository name must be lowercase'],
    ['', 'invalid reference format'],
    ['nginx:', 'invalid reference format'],
    ['nginx:-bad', 'invalid reference format'],
    ['nginx::1', 'invalid reference format'],
    ['ngi nx', 'invalid reference format'],
    ['-nginx', 'invalid reference format'],
    ['nginx/', 'invalid reference format'],
    ['nginx@sha256:abc', 'invalid reference format'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`nginx@sha256:${'a'.repeat(65)}`, 'invalid checksum digest length'],
    ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    [`x/${'a'.repeat(260)}`, 'repository name must not be more than 255 characters'],
  ])('rejects %j: %s', (reference, cause) => {
    let thrown: unknown;
    try {
      normalizeReference(reference);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidImageNameError);
    const error = thrown as InvalidImageNameError;
    expect(error.reason).toBe('InvalidImageName');
    expect(error.parseError).toBe(cause);
    expect(error.message).toBe(`Failed to apply default image tag "${reference}": couldn't parse image reference "${reference}": ${cause}`);
  });
});
