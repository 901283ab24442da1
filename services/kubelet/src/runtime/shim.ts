/**
 * The shim: every container process runs under a tiny `busybox sh` that waits for it and writes
 * its exit code to a file (containerd's shim does the same job: it is the parent that can wait).
 * The kubelet is not the container's parent for long: after a kubelet restart the container is
 * someone else's child and its exit status cannot be waited for, so the file is how the next
 * kubelet learns it. The shim:
 *   - is the container's process group and session leader (spawned detached), so a signal to the
 *     group reaches every process of the container;
 *   - traps TERM/INT/HUP/QUIT (a trap, not an ignore: the program keeps the default disposition),
 *     so a signal sent to the whole group does not take the shim with it. A graceful stop sends
 *     SIGTERM to the program only (as runc signals a container's init), and the shim records its
 *     exit: 0, 143, ...;
 *   - records 128+N when the program dies of signal N (the shell's $?), as Kubernetes reports;
 *   - dies with the group on SIGKILL: then the runtime knows why (it sent it) and records 137.
 * Cost: one busybox sh per container, ~2 MB RSS of which ~0.5 MB private, no CPU; it is not
 * charged to the container (memory.ts counts its descendants only).
 *
 * For a 'native' container with a private mount namespace (pod DNS), the shim is started by
 * `unshare -m -u` and first bind-mounts the pod's resolv.conf and /etc/hosts and sets the pod's
 * hostname. With a tty, the program runs under util-linux `script` (a pty; node has none).
 */
export interface ShimOptions {
  busybox: string;
  exitFile: string;
  /** argv[0] already resolved to an absolute path (command.ts). */
  argv: string[];
  env: Record<string, string>;
  namespace?: { unshare: string; resolvConf?: string; hosts: string; hostname: string };
  tty?: { script: string };
}

/** The shell variables busybox sh adds to its children's environment; removed unless the pod sets them. */
const SHELL_ADDED = ['SHLVL', 'PWD', 'OLDPWD'];

/** The name the shim shows as $0. */
export const SHIM_NAME = 'kubelab-shim';

export function shimCommand(o: ShimOptions): { file: string; args: string[] } {
  const bb = shQuote(o.busybox);
  const lines: string[] = [];
  if (o.namespace) {
    // One mount for both files (an fstab on a here-document), and the hostname written by the
    // shell itself: every fork and exec saved is ~2 ms of CPU per container start on a small VM.
    const ns = o.namespace;
    const binds: Array<[string, string]> = [[ns.hosts, '/etc/hosts']];
    if (ns.resolvConf) binds.unshift([ns.resolvConf, '/etc/resolv.conf']);
    const fstab = binds.map(([source, target]) => `${fstabField(source)} ${target} none bind 0 0`).join('\n');
    lines.push(`${bb} mount -a -T /proc/self/fd/0 <<'FSTAB' && echo -n ${shQuote(ns.hostname)} >/proc/sys/kernel/hostname || echo 'kubelab-shim: could not set up the pod DNS and hostname' >&2`, fstab, 'FSTAB');
  }
  const unset = SHELL_ADDED.filter((name) => !(name in o.env));
  if (unset.length > 0) lines.push(`unset ${unset.join(' ')}`);
  lines.push('trap : TERM INT HUP QUIT USR1 USR2');
  lines.push('"$@"');
  lines.push(`c=$?; echo $c >${shQuote(o.exitFile)}; exit $c`);
  const script = lines.join('\n');
  const argv = o.tty ? ttyArgv(o.tty.script, o.argv) : o.argv;
  const shell = [o.busybox, 'sh', '-c', script, SHIM_NAME, ...argv];
  if (o.namespace) return { file: o.namespace.unshare, args: ['-m', '-u', '--', ...shell] };
  return { file: shell[0]!, args: shell.slice(1) };
}

/** A command under util-linux script: a pty for the program, script's stdin/stdout are plain pipes or files. */
export function ttyArgv(script: string, argv: string[]): string[] {
  return [script, '-qfec', argv.map(shQuote).join(' '), '/dev/null'];
}

/** A path as an fstab field: blanks, newlines and backslashes as octal escapes (getmntent decodes them). */
function fstabField(file: string): string {
  return file.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** Quotes a word for sh. */
export function shQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
