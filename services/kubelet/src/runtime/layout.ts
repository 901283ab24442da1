import path from 'node:path';

/**
 * Where the runtime keeps things under the kubelet's --root-dir. One place for every path, so
 * the runtime, adoption after a restart and `kubelab down` (cleanup.ts) agree:
 *
 *   bin/                                        busybox applet symlinks (first on a container's PATH)
 *   images.json                                 the images this node has "pulled"
 *   containers/<hex>.json                       the record of one container (see records.ts)
 *   containers/<hex>/                           its private files: stdout, stderr (raw output, until
 *                                               turned into the CRI log), exit (its exit code),
 *                                               log-offsets, resolv.conf, hosts, rootfs/ (its cwd)
 *   pods/<namespace>_<name>_<uid>/<container>/<attempt>.log    the CRI log, as the kubelet lays it out
 */
export class RuntimeLayout {
  /** The root dir, normalised once, with a trailing '/': every path below is a plain concatenation. */
  private readonly root: string;
  readonly binDir: string;
  readonly imagesFile: string;
  readonly containersDir: string;

  constructor(readonly rootDir: string) {
    // path.join on every call costs more than it looks (it normalises char by char) and a
    // container start asks for a dozen paths: the names joined here never hold '/' or '..'.
    const normalised = path.join(rootDir);
    this.root = normalised === '.' ? '' : normalised.endsWith('/') ? normalised : `${normalised}/`;
    this.binDir = `${this.root}bin`;
    this.imagesFile = `${this.root}images.json`;
    this.containersDir = `${this.root}containers`;
  }

  recordFile(id: string): string {
    return `${this.containersDir}/${hexOf(id)}.json`;
  }

  containerDir(id: string): string {
    return `${this.containersDir}/${hexOf(id)}`;
  }

  stdoutFile(id: string): string {
    return `${this.containerDir(id)}/stdout`;
  }

  stderrFile(id: string): string {
    return `${this.containerDir(id)}/stderr`;
  }

  exitFile(id: string): string {
    return `${this.containerDir(id)}/exit`;
  }

  logOffsetsFile(id: string): string {
    return `${this.containerDir(id)}/log-offsets`;
  }

  resolvConfFile(id: string): string {
    return `${this.containerDir(id)}/resolv.conf`;
  }

  hostsFile(id: string): string {
    return `${this.containerDir(id)}/hosts`;
  }

  rootfsDir(id: string): string {
    return `${this.containerDir(id)}/rootfs`;
  }

  podLogDir(pod: { namespace: string; name: string; uid: string }): string {
    return `${this.root}pods/${pod.namespace}_${pod.name}_${pod.uid}`;
  }

  /** <rootDir>/pods/<namespace>_<name>_<uid>/<container> (kuberuntime's BuildContainerLogsDirectory). */
  logDir(pod: { namespace: string; name: string; uid: string }, container: string): string {
    return `${this.podLogDir(pod)}/${container}`;
  }

  /** <rootDir>/pods/<namespace>_<name>_<uid>/<container>/<attempt>.log (the log directory + the attempt). */
  logFile(pod: { namespace: string; name: string; uid: string }, container: string, attempt: number): string {
    return `${this.logDir(pod, container)}/${attempt}.log`;
  }
}

/** 'kubelab://<hex>' -> '<hex>' (file names cannot hold the scheme). */
export function hexOf(id: string): string {
  return id.startsWith(CONTAINER_ID_SCHEME) ? id.slice(CONTAINER_ID_SCHEME.length) : id;
}

/** The scheme of a container ID, as containerd's 'containerd://'. */
export const CONTAINER_ID_SCHEME = 'kubelab://';
