import * as fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, pullFailureMessage, resolveImage } from './catalogue';
import { ensureBuilt } from './testing/harness';

const SHA = /^sha256:[0-9a-f]{64}$/;

describe('resolveImage', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest', 'docker.io/library/nginx'],
    ['nginx:1.25.3', 'docker.io/library/nginx:1.25.3', 'docker.io/library/nginx'],
    ['docker.io/library/nginx:alpine', 'docker.io/library/nginx:alpine', 'docker.io/library/nginx'],
    ['blux2/hello-server:1.6', 'docker.io/blux2/hello-server:1.6', 'docker.io/blux2/hello-server'],
    ['blux2/hello-server:1.7', 'docker.io/blux2/hello-server:1.7', 'docker.io/blux2/hello-server'],
    ['blux2/hello-server:1.8', 'docker.io/blux2/hello-server:1.8', 'docker.io/blux2/hello-server'],
    ['blux2/delayfailserver:1.1', 'docker.io/blux2/delayfailserver:1.1', 'docker.io/blux2/delayfailserver'],
    ['kurokobo/p4app:0.0.1', 'docker.io/kurokobo/p4app:0.0.1', 'docker.io/kurokobo/p4app'],
    ['redis:6.0', 'docker.io/library/redis:6.0', 'docker.io/library/redis'],
    ['redis', 'docker.io/library/redis:latest', 'docker.io/library/redis'],
    ['busybox:1.36.1', 'docker.io/library/busybox:1.36.1', 'docker.io/library/busybox'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10', 'registry.k8s.io/pause'],
    ['k8s.gcr.io/pause:3.2', 'k8s.gcr.io/pause:3.2', 'k8s.gcr.io/pause'],
    ['gcr.io/google-samples/hello-app:1.0', 'gcr.io/google-samples/hello-app:1.0', 'gcr.io/google-samples/hello-app'],
  ])('%s resolves to %s', (reference, normalized, repository) => {
    const image = resolveImage(reference)!;
    expect(image).toBeDefined();
    expect(image.reference).toBe(normalized);
    const [name, digest] = image.imageID.split('@');
    expect(name).toBe(repository);
    expect(digest).toMatch(SHA);
  });

  it.each(['nosuch', 'blux2/hello-server:9.9', 'blux2/hello-server', 'blux2/delayfailserver:1.0', 'kurokobo/p4app:latest', 'quay.io/library/nginx', 'Nginx', 'nginx::'])(
    '%s is not in the catalogue',
    (reference) => {
      expect(resolveImage(reference)).toBeUndefined();
    },
  );

  it('gives each entry and tag its own stable imageID', () => {
    const id = (reference: string): string => resolveImage(reference)!.imageID;
    expect(id('nginx')).toBe(id('docker.io/library/nginx:latest'));
    expect(id('nginx:1.25.3')).toBe(id('nginx:1.25.3'));
    expect(id('nginx:1.25.3')).not.toBe(id('nginx:latest'));
    expect(id('blux2/hello-server:1.6')).not.toBe(id('blux2/hello-server:1.7'));
  });

  it('resolves a pinned digest: any digest of an any-tag image, only a listed tag\'s digest otherwise', () => {
    const digest17 = resolveImage('blux2/hello-server:1.7')!.imageID.split('@')[1]!;
    const pinned = resolveImage(`blux2/hello-server@${digest17}`)!;
    expect(pinned.reference).toBe(`docker.io/blux2/hello-server@${digest17}`);
    expect(pinned.imageID).toBe(`docker.io/blux2/hello-server@${digest17}`);
    expect(pinned.definition.env).toEqual({ HELLO_SERVER_VERSION: '1.7' });
    const digest16 = resolveImage('blux2/hello-server:1.6')!.imageID.split('@')[1]!;
    expect(resolveImage(`blux2/hello-server@${digest16}`)!.definition).toMatchObject({ runtime: 'native', env: { HELLO_SERVER_VERSION: '1.6' } });
    expect(pinned.definition.runtime).toBe('node');
    expect(resolveImage(`blux2/hello-server@sha256:${'0'.repeat(64)}`)).toBeUndefined();
    const any = `sha256:${'1'.repeat(64)}`;
    expect(resolveImage(`nginx@${any}`)!.imageID).toBe(`docker.io/library/nginx@${any}`);
  });

  it("merges the tag's own ENV into the definition and hides envForTag", () => {
    expect(resolveImage('nginx:1.25.3')!.definition.env).toMatchObject({ NGINX_VERSION: '1.25.3' });
    expect(resolveImage('nginx')!.definition.env!.NGINX_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(resolveImage('redis:6.0')!.definition.env).toEqual({ REDIS_VERSION: '6.0.20' });
    expect(resolveImage('redis:7.2.4-alpine')!.definition.env).toEqual({ REDIS_VERSION: '7.2.4' });
    expect(resolveImage('blux2/hello-server:1.7')!.definition.env).toEqual({ HELLO_SERVER_VERSION: '1.7' });
    expect(resolveImage('nginx')!.definition).not.toHaveProperty('envForTag');
  });

  it('describes busybox, pause and hello-server 1.6/1.8 as native programs, the others as node programs', () => {
    const busybox = resolveImage('busybox:1.36.1')!.definition;
    expect(busybox).toMatchObject({ runtime: 'native', entrypoint: [], cmd: ['sh'] });
    expect(resolveImage('registry.k8s.io/pause:3.10')!.definition).toMatchObject({ runtime: 'native', entrypoint: ['/usr/bin/busybox', 'sleep', '2147483647'] });
    for (const tag of ['1.6', '1.8']) {
      const hello = resolveImage(`blux2/hello-server:${tag}`)!.definition;
      expect(hello).toMatchObject({ runtime: 'native', cmd: [], env: { HELLO_SERVER_VERSION: tag } });
      expect(hello.entrypoint).toEqual(['/usr/bin/busybox', 'sh', expect.stringMatching(/\/packages\/images\/assets\/hello-server\/hello-server\.sh$/)]);
    }
    const leaky = resolveImage('blux2/hello-server:1.7')!.definition;
    expect(leaky.runtime).toBe('node');
    expect(leaky.entrypoint).toEqual([process.execPath, '--max-semi-space-size=1', expect.stringMatching(/\/packages\/images\/dist\/images\/hello-server\.js$/)]);
    expect(resolveImage('nginx')!.definition.cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(resolveImage('redis')!.definition.cmd).toEqual(['redis-server']);
  });

  describe('after the build', () => {
    beforeAll(() => ensureBuilt(), 120_000);

    it('every entrypoint names a file that exists', () => {
      for (const definition of CATALOGUE) {
        const program = definition.entrypoint[definition.runtime === 'node' ? 2 : 0];
        if (program === undefined) continue; // busybox: the command is the pod's
        expect(fs.existsSync(program), `${definition.repositories[0]}: ${program}`).toBe(true);
        // A native image's script (busybox sh <file>), as hello-server 1.6/1.8's.
        const script = definition.runtime === 'native' && definition.entrypoint[1] === 'sh' ? definition.entrypoint[2] : undefined;
        if (script !== undefined) expect(fs.existsSync(script), `${definition.repositories[0]}: ${script}`).toBe(true);
      }
    });
  });
});

describe('pullFailureMessage', () => {
  it('an unknown Docker Hub repository: pull access denied', () => {
    expect(pullFailureMessage('nosuch')).toBe(
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nosuch:latest": ' +
        'failed to resolve reference "docker.io/library/nosuch:latest": pull access denied, repository does not exist ' +
        'or may require authorization: server message: insufficient_scope: authorization failed',
    );
    expect(pullFailureMessage('someone/app:1')).toContain('"docker.io/someone/app:1": pull access denied');
  });

  it('an unknown tag of a known repository: NotFound', () => {
    expect(pullFailureMessage('blux2/hello-server:9.9')).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/blux2/hello-server:9.9": ' +
        'failed to resolve reference "docker.io/blux2/hello-server:9.9": docker.io/blux2/hello-server:9.9: not found',
    );
    const digest = `sha256:${'0'.repeat(64)}`;
    expect(pullFailureMessage(`blux2/hello-server@${digest}`)).toBe(
      `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/blux2/hello-server@${digest}": ` +
        `failed to resolve reference "docker.io/blux2/hello-server@${digest}": docker.io/blux2/hello-server@${digest}: not found`,
    );
  });

  it('a public registry without the repository: NotFound', () => {
    expect(pullFailureMessage('registry.k8s.io/nosuch:1.0')).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "registry.k8s.io/nosuch:1.0": ' +
        'failed to resolve reference "registry.k8s.io/nosuch:1.0": registry.k8s.io/nosuch:1.0: not found',
    );
  });

  it('a registry that does not exist, or is not running', () => {
    expect(pullFailureMessage('my.registry.example/app:1')).toBe(
      'rpc error: code = Unknown desc = failed to pull and unpack image "my.registry.example/app:1": failed to resolve reference ' +
        '"my.registry.example/app:1": failed to do request: Head "https://my.registry.example/v2/app/manifests/1": ' +
        'dial tcp: lookup my.registry.example: no such host',
    );
    expect(pullFailureMessage('localhost:5000/app')).toMatch(/Head "https:\/\/localhost:5000\/v2\/app\/manifests\/latest": dial tcp 127\.0\.0\.1:5000: connect: connection refused$/);
  });

  it('an unparseable reference: the InvalidImageName message', () => {
    expect(pullFailureMessage('Nginx')).toBe(
      'Failed to apply default image tag "Nginx": couldn\'t parse image reference "Nginx": invalid reference format: repository name must be lowercase',
    );
  });
});
