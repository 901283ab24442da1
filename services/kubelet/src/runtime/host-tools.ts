import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The PATH a container gets when neither the pod nor the image sets one (after <rootDir>/bin), as Docker's default. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** An executable file named `name` on `searchPath`, or undefined. */
export function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(':')) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The host programs the runtime itself runs, found once on the kubelet's PATH and the system
 * PATH (never on a container's PATH, where busybox applets come first):
 * busybox (the shim and the busybox image), unshare/nsenter (a private mount namespace for
 * busybox's resolv.conf), script (a tty: node has no pty), stty (resizing that tty).
 */
export interface HostTools {
  busybox?: string;
  unshare?: string;
  nsenter?: string;
  script?: string;
  stty?: string;
}

export function findHostTools(): HostTools {
  const searchPath = [process.env.PATH ?? '', SYSTEM_PATH].join(':');
  return {
    busybox: findOnPath('busybox', searchPath),
    unshare: findOnPath('unshare', searchPath),
    nsenter: findOnPath('nsenter', searchPath),
    script: findOnPath('script', searchPath),
    stty: findOnPath('stty', searchPath),
  };
}

/**
 * Fills `binDir` with one symlink per applet of `busybox --list`, all pointing at busybox (which
 * dispatches on argv[0]), the way the busybox image's /bin looks. Done once per root dir: a marker
 * file remembers which busybox the links point at.
 */
export function installBusyboxApplets(busybox: string, binDir: string): number {
  const marker = path.join(binDir, '.busybox');
  try {
    if (fs.readFileSync(marker, 'utf8') === busybox) return fs.readdirSync(binDir).length - 1;
  } catch {
    // not installed yet
  }
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[\w.[-]+$/.test(s));
  fs.mkdirSync(binDir, { recursive: true });
  for (const applet of applets) {
    const link = path.join(binDir, applet);
    try {
      fs.unlinkSync(link);
    } catch {
      // absent
    }
    fs.symlinkSync(busybox, link);
  }
  fs.writeFileSync(marker, busybox);
  return applets.length;
}
