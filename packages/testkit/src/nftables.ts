import { spawnSync } from 'node:child_process';

/**
 * Why this machine does not let a process own an nftables table (kube-proxy's `--proxy-mode
 * nftables` needs root, Debian's `nft` and a kernel with nf_tables and owned tables), in nft's
 * words; undefined when it does. The probe's table goes with the `nft` that made it.
 */
export function nftablesUnusable(): string | undefined {
  const r = spawnSync('/bin/sh', ['-c', `printf 'add table ip kubelab-probe-${process.pid} { flags owner; }\\n' | nft -i 2>&1`], { encoding: 'utf8' });
  const said = `${r.stdout}`.trim();
  return r.status === 0 && !said ? undefined : said || `nft exited with ${r.status}`;
}

/** The nftables tables of the `ip` family, by name. */
export function nftablesTables(): string[] {
  const r = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^table ip /, ''));
}
