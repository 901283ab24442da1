import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { labProgram } from './program';

/** Parses `kubelab up ...args` without starting anything: the options `up` would get, or the error printed. */
async function parseUp(args: string[]): Promise<{ options?: { basePort?: number; timeout: number }; stderr: string }> {
  const program = labProgram();
  let stderr = '';
  for (const command of [program, ...program.commands] as Command[]) {
    command.exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => undefined });
  }
  let options: { basePort?: number; timeout: number } | undefined;
  program.commands.find((c) => c.name() === 'up')!.action((o: { basePort?: number; timeout: number }) => {
    options = o;
  });
  try {
    await program.parseAsync(['up', ...args], { from: 'user' });
  } catch {
    // the error is in stderr
  }
  return { ...(options ? { options } : {}), stderr };
}

describe('kubelab up: its numbers', () => {
  it('--base-port leaves room for the 8 ports of a lab: 65528 at most', async () => {
    expect((await parseUp(['--base-port', '65528'])).options?.basePort).toBe(65528);
    for (const bad of ['65530', '65529', '0', '2.5', 'x']) {
      const result = await parseUp(['--base-port', bad]);
      expect(result.options).toBeUndefined();
      expect(result.stderr).toContain(
        `error: option '--base-port <port>' argument '${bad}' is invalid. expected a port from 1 to 65528: the lab takes 8 consecutive ports from it (N to N+7), and the last is 65535`,
      );
    }
  });

  it('--timeout takes seconds: positive, fractions too, not bound to port numbers', async () => {
    expect((await parseUp([])).options?.timeout).toBe(30);
    expect((await parseUp(['--timeout', '0.5'])).options?.timeout).toBe(0.5);
    expect((await parseUp(['--timeout', '120000'])).options?.timeout).toBe(120000);
    for (const bad of ['0', '-1', 'x', 'Infinity', '']) {
      const result = await parseUp(['--timeout', bad]);
      expect(result.options).toBeUndefined();
      expect(result.stderr).toContain(`error: option '--timeout <seconds>' argument '${bad}' is invalid. expected a number of seconds greater than 0, e.g. 30 or 0.5`);
    }
  });
});
