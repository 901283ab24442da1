import { describe, expect, it } from 'vitest';
import { statusImageName } from './image-name';

describe('statusImageName', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['redis:6.0', 'docker.io/library/redis:6.0'],
    ['blux2/hello-server:1.6', 'docker.io/blux2/hello-server:1.6'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    [`nginx@sha256:${'a'.repeat(64)}`, `docker.io/library/nginx@sha256:${'a'.repeat(64)}`],
    // A reference that does not parse is shown as the spec names it.
    ['nginx@sha256:abc', 'nginx@sha256:abc'],
  ])('%s -> %s', (reference, name) => {
    expect(statusImageName(reference)).toBe(name);
  });
});
