import * as fs from 'node:fs';
import * as path from 'node:path';
import { paths } from './layout';

/** statfs(2)'s f_type of a tmpfs. */
export const TMPFS_MAGIC = 0x01021994;

/** Where the lab puts its kubelets' state when it can: a tmpfs every Linux machine has. */
export const DEFAULT_STATE_BASE = '/dev/shm';

/**
 * The room a tmpfs must have left to take the state: a container's logs alone may reach ~50 MiB
 * (5 files of 10 MiB), and a full tmpfs fails the containers' own writes.
 */
const MIN_FREE_BYTES = 1024 * 1024 * 1024;

/** The name of a lab's state directory in the base (kubelab-kubelet-XXXXXX). */
export const STATE_DIR_PREFIX = 'kubelab-kubelet-';

/**
 * Where a lab's kubelets keep their state: <lab dir>/data/kubelet, each node's --root-dir below it.
 *
 * That state (container records, stdout and exit files, pod logs, pod IPs) describes processes,
 * and processes do not outlive the machine, so the lab keeps it on a tmpfs, as containerd keeps
 * its own in /run/containerd: <lab dir>/data/kubelet is a symlink to a directory of its own in
 * /dev/shm (mode 0700). It outlives a kubelet's restart and `kubelab down` (the kubelet adopts or
 * cleans up what it finds), not a reboot (after which no pod of the lab runs anyway). The memory
 * it takes is bounded as the kubelet bounds disk: logs are rotated (cri-log-writer.ts).
 *
 * On disk, every container start paid for ext4's journal: about 10 ms of kernel time in each
 * mkdir, open and rename, taken on the kubelet's event loop, while the store's fsyncs held the
 * same journal (docs/benchmarks.md, the pods figures).
 *
 * A lab whose data/kubelet is already a directory keeps it; without a tmpfs, or with a small one
 * (Docker gives a container a /dev/shm of 64 MiB), it is a directory.
 */
export function placeKubeletState(dir: string, base = DEFAULT_STATE_BASE, minFreeBytes = MIN_FREE_BYTES): string {
  const link = paths.data(dir, 'kubelet');
  const stat = fs.lstatSync(link, { throwIfNoEntry: false });
  if (stat && !stat.isSymbolicLink()) return link;
  if (stat) {
    // After a reboot the tmpfs is empty: the same place again, if it is still ours alone.
    const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
    try {
      fs.mkdirSync(target, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isPrivateDirectory(target)) {
      fs.writeFileSync(path.join(target, OWNER_FILE), `${link}\n`);
      return link;
    }
    // Someone else's (or a link): a new directory of our own instead.
    fs.rmSync(link);
  }
  fs.mkdirSync(path.dirname(link), { recursive: true });
  if (isTmpfs(path.dirname(link)) || !isWritableTmpfs(base) || freeBytes(base) < minFreeBytes) {
    fs.mkdirSync(link);
    return link;
  }
  sweepOrphans(base);
  const target = fs.mkdtempSync(path.join(base, STATE_DIR_PREFIX));
  fs.symlinkSync(target, link);
  // Written last: a directory without it is one being made, which no sweep touches.
  fs.writeFileSync(path.join(target, OWNER_FILE), `${link}\n`);
  return link;
}

/** In a state directory, the data/kubelet link of the lab it belongs to. */
const OWNER_FILE = '.lab';

/**
 * Removes this user's state directories whose lab is gone: its folder deleted without `kubelab
 * down` (or moved), so that nothing links to the directory any more. The memory would stay taken
 * until the next reboot.
 */
function sweepOrphans(base: string): void {
  for (const name of fs.readdirSync(base).filter((n) => n.startsWith(STATE_DIR_PREFIX))) {
    const dir = path.join(base, name);
    if (!isPrivateDirectory(dir)) continue;
    let owner: string;
    try {
      owner = fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim();
    } catch {
      continue;
    }
    let linked: string | undefined;
    try {
      linked = path.resolve(path.dirname(owner), fs.readlinkSync(owner));
    } catch {
      linked = undefined;
    }
    if (linked !== dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A real directory (not a link) of this user's, which nobody else may read or write. */
function isPrivateDirectory(target: string): boolean {
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  return Boolean(stat?.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0);
}

export function isTmpfs(dir: string): boolean {
  try {
    return fs.statfsSync(dir).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/** What an unprivileged user may still write there. */
function freeBytes(dir: string): number {
  const stat = fs.statfsSync(dir);
  return stat.bavail * stat.bsize;
}

function isWritableTmpfs(dir: string): boolean {
  if (!isTmpfs(dir)) return false;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
