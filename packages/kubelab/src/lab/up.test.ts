import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nextSteps, shellQuote } from './up';

describe('what up says to type next', () => {
  it('shell-quotes a lab folder that needs it', () => {
    expect(nextSteps('/tmp/a b', '/tmp/a b/kubeconfig')).toBe(
      "kubectl: export KUBECONFIG='/tmp/a b/kubeconfig'   (or: KUBECONFIG=$(kubelab kubeconfig --dir '/tmp/a b') kubectl get nodes)\n" +
        "logs: /tmp/a b/logs\nstop it with: kubelab down --dir '/tmp/a b'\n",
    );
    expect(nextSteps('/tmp/lab-1', '/tmp/lab-1/kubeconfig')).toContain('stop it with: kubelab down --dir /tmp/lab-1\n');
  });

  it('quotes so that a shell reads back the very word', () => {
    for (const word of ['/tmp/plain-dir_1.x', '/tmp/a b', "/tmp/it's", '/tmp/$HOME`x`', '/tmp/a\\b"c', '/tmp/*?[', '']) {
      const echoed = spawnSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' });
      expect(echoed.stdout).toBe(word);
    }
    expect(shellQuote('/tmp/plain-dir_1.x')).toBe('/tmp/plain-dir_1.x');
  });
});
