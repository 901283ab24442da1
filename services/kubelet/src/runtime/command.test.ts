import { describe, expect, it } from 'vitest';
import type { ImageDefinition } from '@kubelab/images';
import { containerCommand, containerEnv, lookPath } from './command';
import { ContainerStartError } from './types';

const base = { repositories: ['docker.io/library/x'], sizeBytes: 1 };
const busybox: ImageDefinition = { ...base, runtime: 'native', entrypoint: [], cmd: ['sh'] };
const nodeArgv: ImageDefinition = { ...base, runtime: 'node', entrypoint: ['/usr/bin/node', '--max-semi-space-size=1', '/img/nginx.js'], cmd: ['nginx', '-g', 'daemon off;'] };
const nodeScript: ImageDefinition = { ...base, runtime: 'node', entrypoint: ['/img/server.js'], cmd: ['--port', '80'], env: { A: 'image', B: 'image' } };

describe('containerCommand (Kubernetes command/args rules)', () => {
  it.each([
    { what: 'image entrypoint + cmd', image: busybox, config: {}, argv: ['sh'], runtime: 'native' },
    { what: 'args replace cmd', image: busybox, config: { args: ['echo', 'hi'] }, argv: ['echo', 'hi'], runtime: 'native' },
    { what: 'command replaces entrypoint and drops cmd', image: nodeScript, config: { command: ['sleep'] }, argv: ['sleep'], runtime: 'native' },
    { what: 'command + args', image: nodeScript, config: { command: ['sleep'], args: ['5'] }, argv: ['sleep', '5'], runtime: 'native' },
    { what: 'a node entrypoint that is a full argv', image: nodeArgv, config: {}, argv: ['/usr/bin/node', '--max-semi-space-size=1', '/img/nginx.js', 'nginx', '-g', 'daemon off;'], runtime: 'node' },
    { what: 'a node entrypoint that is a script', image: nodeScript, config: { args: [] }, argv: ['/node', '--max-semi-space-size=1', '/img/server.js'], runtime: 'node' },
  ])('$what', ({ image, config, argv, runtime }) => {
    expect(containerCommand(image, config, '/node')).toEqual({ argv, runtime });
  });
});

describe('containerEnv', () => {
  it("is the pod's env over the image's over a default PATH with the applets first", () => {
    expect(containerEnv(nodeScript, { env: { B: 'pod' } }, '/root/bin')).toEqual({
      PATH: '/root/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      A: 'image',
      B: 'pod',
    });
  });
});

describe('lookPath', () => {
  const env = { PATH: '/no/such/dir:/usr/bin:/bin' };
  it('finds a program on PATH, or by its path', () => {
    expect(lookPath('env', env, '/')).toMatch(/^\/(usr\/)?bin\/env$/);
    expect(lookPath('/bin/sh', env, '/')).toBe('/bin/sh');
  });
  it.each([
    { name: 'nope', detail: 'exec: "nope": executable file not found in $PATH: unknown' },
    { name: '/nope', detail: 'exec: "/nope": stat /nope: no such file or directory: unknown' },
    { name: '/etc/passwd', detail: 'exec: "/etc/passwd": permission denied: unknown' },
  ])('refuses $name as runc does', ({ name, detail }) => {
    expect(() => lookPath(name, env, '/')).toThrow(ContainerStartError);
    expect(() => lookPath(name, env, '/')).toThrow(`unable to start container process: ${detail}`);
  });
});
