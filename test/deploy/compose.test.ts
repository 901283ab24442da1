import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@kubelab/testkit';

const has = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0;
const composeCli = has('docker-compose', ['version']);
const dockerEngine = has('docker', ['info']);

describe('docker-compose.yml', () => {
  it.skipIf(!composeCli)('is a valid compose file with the lab\'s services (docker-compose config)', () => {
    const result = spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}nats:$/m);
    expect(result.stdout).toMatch(/^ {2}store:$/m);
    expect(result.stdout).toContain('--advertise-client-urls=http://store:2379');
    expect(result.stdout).toMatch(/^ {2}apiserver:$/m);
    expect(result.stdout).toContain('--etcd-servers=http://store:2379');
    expect(result.stdout).toMatch(/^ {2}scheduler:$/m);
    expect(result.stdout).toMatch(/^ {2}controller-manager:$/m);
    expect(result.stdout).toContain('--master=apiserver:6444');
  });

  // `docker compose up` needs a Docker engine; this machine has only the client.
  it.skipIf(!dockerEngine)('starts the lab with docker compose up (skipped: no Docker engine on this machine)', () => {
    const up = spawnSync('docker', ['compose', 'up', '-d', '--build', '--wait'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    try {
      expect(up.status).toBe(0);
    } finally {
      spawnSync('docker', ['compose', 'down', '-v'], { cwd: ROOT });
    }
  });
});
